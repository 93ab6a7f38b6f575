/* sd-sync-engine.h: offline-first sync of the store with a Bitrix24 portal.
 *
 * A sync pulls what the portal changed (all of it the first time, paged by ID; since the
 * last cursor after that), pushes the outbox (the store's local journal entries, in order,
 * each marked done only once the portal confirmed it), and checks the two sides against
 * each other by ID and modification time, removing rows the portal deleted and fetching
 * again any row that differs. A field changed on both sides since the last agreement
 * becomes a conflict record for the user; fields changed on one side only merge.
 *
 * The work runs in a GTask thread on its own connection to the database, in large
 * transactions; properties change and signals fire in the main context of the thread that
 * made the engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-b24-client.h"

G_BEGIN_DECLS

typedef enum
{
  SD_SYNC_STATE_OFFLINE,   /* the last attempt could not reach the portal */
  SD_SYNC_STATE_ONLINE,    /* idle, the last sync reached the portal */
  SD_SYNC_STATE_SYNCING,
} SdSyncState;

/* What a finished sync found. */
typedef struct
{
  guint    pulled;       /* rows written from the portal */
  guint    pushed;       /* journal entries the portal confirmed */
  guint    deleted;      /* rows removed because the portal no longer has them */
  guint    conflicts;    /* open conflicts after the sync */
  guint    waiting;      /* journal entries still waiting (held by a conflict or refused) */
  guint    requests;     /* HTTP requests this sync sent */
  gboolean checked;      /* both sides were compared in full (by ID and modification time) */
  gboolean agree;        /* nothing differs that this sync knows of: no conflict, nothing
                          * waiting, every row placed, and when checked, the same rows and
                          * versions on both sides */
  guint    messages;     /* automation outbox messages the portal took */
} SdSyncReport;

#define SD_TYPE_SYNC_ENGINE (sd_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (SdSyncEngine, sd_sync_engine, SD, SYNC_ENGINE, GObject)

SdSyncEngine *sd_sync_engine_new          (const char    *database,
                                           SdB24Client   *client);

SdSyncState   sd_sync_engine_get_state    (SdSyncEngine  *self);
/* 0…1 of the current sync; its estimated seconds left, or -1 when unknown. */
double        sd_sync_engine_get_fraction (SdSyncEngine  *self);
double        sd_sync_engine_get_eta      (SdSyncEngine  *self);
/* Local changes waiting to be sent, as of the last look at the outbox. */
guint         sd_sync_engine_get_waiting  (SdSyncEngine  *self);
/* Unix time of the last sync that ended in agreement; 0 if none. */
gint64        sd_sync_engine_get_last_sync (SdSyncEngine *self);
/* What the sync is doing, for a status line ("Deals: 2 500 of 10 000"). */
char         *sd_sync_engine_dup_status   (SdSyncEngine  *self);

void          sd_sync_engine_sync_async   (SdSyncEngine       *self,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean      sd_sync_engine_sync_finish  (SdSyncEngine  *self,
                                           GAsyncResult  *result,
                                           SdSyncReport  *out_report,
                                           GError       **error);
/* How often a sync compares both sides in full, which finds rows deleted on the portal;
 * 0: every sync. Default: an hour. */
void          sd_sync_engine_set_check_interval (SdSyncEngine *self,
                                                 guint         seconds);

/* The same, blocking the calling thread (tests, benchmarks). Property notifications are
 * queued to the engine's main context. */
gboolean      sd_sync_engine_sync         (SdSyncEngine  *self,
                                           GCancellable  *cancellable,
                                           SdSyncReport  *out_report,
                                           GError       **error);

G_END_DECLS
