/* sd-test-sync.h: a database, an emulated portal and a sync engine between them, and the
 * comparison of the two sides every sync test ends with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"
#include "sd-sync-engine.h"
#include "test-util.h"

G_BEGIN_DECLS

typedef struct
{
  B24Test      *portal;
  char         *dir;
  char         *db;
  SdStore      *store;    /* the app's own connection, for offline edits */
  SdB24Client  *client;
  SdSyncEngine *engine;
} SdTestSync;

/* Starts the emulator with the NULL-terminated extra arguments (seeds, limits). */
SdTestSync *sd_test_sync_new        (const char *first_arg,
                                     ...) G_GNUC_NULL_TERMINATED;
void        sd_test_sync_free       (SdTestSync *t);
/* A sync that must succeed. */
SdSyncReport sd_test_sync_run       (SdTestSync *t);
/* A portal method run as another portal user; the envelope. */
JsonNode   *sd_test_sync_act        (SdTestSync *t,
                                     gint64      user_id,
                                     const char *method,
                                     const char *params_json);
/* The portal's dump and the database hold the same deals, contacts and companies, field
 * by field. */
void        sd_test_sync_assert_agree (SdTestSync *t);
gint64      sd_test_sync_count      (SdTestSync *t,
                                     const char *sql);
/* The local id of the row with server id @b24_id. */
gint64      sd_test_sync_local      (SdTestSync *t,
                                     SdEntity    entity,
                                     gint64      b24_id);
/* The portal's row of @table ("deal") with @id from a fresh dump, or NULL. */
JsonObject *sd_test_sync_remote_row (SdTestSync *t,
                                     const char *table,
                                     gint64      id);
/* The same, with the id in @member ("id" for tasks). */
JsonObject *sd_test_sync_remote_row_by (SdTestSync *t,
                                        const char *table,
                                        const char *member,
                                        gint64      id);

G_END_DECLS

G_BEGIN_DECLS

/* A private Secret Service for the test: gnome-keyring-daemon with its files under @home,
 * on the session bus. NULL (the test should be skipped) when there is no session bus, or
 * when a keyring already answers there (a developer's own, which a test must not touch). */
GSubprocess *sd_test_keyring_start  (const char *home);
void         sd_test_keyring_stop   (GSubprocess *daemon);
/* A launcher for sdelka-cli ($SDELKA_CLI) living in @home: its settings, caches and data
 * there, English messages, no browser opened; standard error merged into standard output. */
GSubprocessLauncher *sd_test_cli_launcher (const char      *home,
                                           GSubprocessFlags flags);
/* Fails if any file under @dir (but the keyring's own) contains @needle. */
void         sd_test_assert_no_file_contains (const char *dir,
                                              const char *needle);

G_END_DECLS
