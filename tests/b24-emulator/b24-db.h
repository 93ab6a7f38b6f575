/* b24-db.h: the emulator's SQLite store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

gboolean b24_db_open (B24Emu  *emu,
                      GError **error);
void b24_db_close (B24Emu *emu);
/* A cached statement, reset and unbound; never finalize it. */
sqlite3_stmt *b24_db_prepare (B24Emu     *emu,
                              const char *sql);
void b24_db_exec (B24Emu     *emu,
                  const char *sql);
void b24_db_bind_node (sqlite3_stmt *stmt,
                       int           index,
                       JsonNode     *node);
gint64 b24_db_query_int (B24Emu     *emu,
                         const char *sql,
                         gint64      arg);

G_END_DECLS
