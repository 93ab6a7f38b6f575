/* b24-disk.h: the drive (disk.*), its download and upload URLs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

/* Keeps @size bytes in the file table; returns the file ID. */
gint64 b24_disk_store_content (B24Emu       *emu,
                               const char   *name,
                               const guchar *content,
                               gsize         size);
/* Stores a file in a drive folder; returns the object ID, or 0 with @reply set. */
gint64 b24_disk_save_file (B24Emu     *emu,
                           gint64      folder_id,
                           const char *name,
                           const char *base64,
                           gboolean    unique,
                           gint64      user_id,
                           B24Reply   *reply);
/* A drive file as disk.file.get prints it (NULL when there is none). */
JsonObject *b24_disk_file_json (B24Emu *emu,
                                gint64  id);
void b24_disk_handle_download (B24Emu            *emu,
                               SoupServerMessage *msg,
                               JsonObject        *params);
void b24_disk_handle_upload (B24Emu            *emu,
                             SoupServerMessage *msg,
                             JsonObject        *params);
void b24_disk_handle_file (B24Emu            *emu,
                           SoupServerMessage *msg,
                           JsonObject        *params);

G_END_DECLS
