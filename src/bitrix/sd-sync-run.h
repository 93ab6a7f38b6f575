/* sd-sync-run.h: one sync in its thread, and the steps sd-sync-engine.c runs it through
 * (private to src/bitrix).
 *
 * A run reads the portal through the engine's client and writes the store through its
 * own connection, as the system actor with origin "remote". Each step lives in a file of
 * its own: sd-sync-reference.c (staff, pipelines, user fields), sd-sync-pull.c (rows
 * merged in), sd-sync-push.c (the outbox), sd-sync-check.c (both sides compared),
 * sd-sync-events.c (the offline event queue), over sd-sync-keyset.c (ID-ordered export).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-sync-engine.h"

#include "sd-records.h"
#include "sd-store-sync.h"
#include "sd-sync-map.h"

G_BEGIN_DECLS

/* Rows a list page holds; fixed by the portal (reference §3). */
#define SD_SYNC_PAGE 50

typedef struct
{
  SdSyncEngine *engine;
  SdB24Client  *client;
  SdStore      *store;
  GCancellable *cancellable;
  SdSyncReport  report;
  guint         start_requests;
  gint64        started_us;
  gint64        expected_rows;  /* for the fraction of a first sync; 0 when unknown */
  gint64        expected[SD_N_ENTITIES]; /* rows of each kind a first sync counted, or -1 */
  gint64        expected_requisites;     /* the same for company requisites */
  char         *reference_at;   /* the portal's time of the reference request */
  gint64        done_rows;
  guint         skipped;        /* portal rows that could not be placed here */
  char         *key_prefix;     /* "sdelka:<install>:" of the client keys */
  GHashTable   *held;           /* "entity:id" of rows whose changes wait */
  GHashTable   *looked_up;      /* journal ids whose lost creation was looked for */
  GPtrArray    *b24_fields;     /* SdB24Field: deal fields the playbooks map */
  GPtrArray    *deal_select;    /* the deal list's select[]: the kind's and the mapped ones */
  gboolean      after_push;     /* pulling what our own push just changed (see apply_row) */
  gboolean      mapped_again;   /* deals read again for a newly mapped field (apply_row) */
  gboolean      queue_live;     /* the offline event queue stands in for the scan (OAuth) */
  JsonObject   *queue_first;    /* its first page, read with the shared request */
  char         *queue_read_at;  /* the portal's time of that request */
  GHashTable   *parties;        /* "contact:id"/"company:id" whose card waits (sd-sync-parties.c) */
  GHashTable   *channel_entries; /* contact id -> GArray of its waiting contact_channel entries */
  /* The shared request: the reads every sync needs, one batch (sd-sync-engine.c). Each
   * step adds its commands under keys of its own (sd_sync_*_ride) and reads its answers
   * back from @shared when it runs. */
  JsonObject   *shared;         /* the shared request's answer */
  char        **scan_select;    /* the deal select[] the scan rode with (sd-sync-pull.c) */
  gboolean      tasks_ridden;   /* the task list's first page rode (sd-sync-tasks.c) */
  GHashTable   *tasks_refused;  /* local ids of tasks whose edit the portal refused this sync */
  GArray       *refused_ridden; /* local ids of refused tasks asked about in the shared request */
  GPtrArray    *comments_ridden; /* deals whose comments rode (sd-sync-comments.c) */
  char         *comments_sweep_next; /* where the sweep goes on next time */
} SdSyncRun;

/* Progress for the UI (sd-sync-engine.c): @status replaces the status line unless NULL;
 * the fraction and time left follow done_rows of expected_rows. */
void        sd_sync_run_progress   (SdSyncRun   *run,
                                    const char  *status);
void        sd_sync_run_set_waiting (SdSyncRun  *run,
                                    guint        waiting);
gboolean    sd_sync_run_cancelled  (SdSyncRun   *run,
                                    GError     **error);
/* Commits what a step wrote; listeners on other connections hear of it. */
gboolean    sd_sync_run_commit     (SdSyncRun   *run,
                                    GError     **error);

/* sd-sync-run.c */
JsonArray  *sd_sync_string_array   (const char * const *strings);
/* The array a batch command answered (inside @wrapper when not NULL), else an error. */
JsonArray  *sd_sync_result_array   (JsonObject  *answer,
                                    const char  *key,
                                    const char  *wrapper,
                                    GError     **error);
/* Inserts or updates the row with server id @b24_id; returns its local id or 0. */
gint64      sd_sync_upsert         (SdSyncRun   *run,
                                    SdEntity     entity,
                                    gint64       b24_id,
                                    SdChanges   *changes,
                                    GError     **error);
int         sd_sync_compare_ids    (gconstpointer a,
                                    gconstpointer b);
GHashTable *sd_sync_pending_deletions (SdSyncRun *run,
                                    SdEntity     entity,
                                    GError     **error);
char       *sd_sync_local_time     (const char  *portal);
char       *sd_sync_portal_time    (const char  *local);
gint64      sd_sync_entry_old_int  (SdJournalEntry *entry,
                                    const char     *column);
char       *sd_sync_read_text      (SdSyncRun   *run,
                                    SdEntity     entity,
                                    gint64       id,
                                    const char  *column);
gint64      sd_sync_read_int       (SdSyncRun   *run,
                                    SdEntity     entity,
                                    gint64       id,
                                    const char  *column);
gint64      sd_sync_b24_of         (SdSyncRun   *run,
                                    SdEntity     entity,
                                    gint64       id);

/* Sends a batch of writes after marking the journal entries in @creations (gint64) as
 * attempted; NULL with @error set when the portal refused, NULL without it when the batch
 * failed on the way (everything stays waiting for a later round). */
JsonObject *sd_sync_send_writes    (SdSyncRun   *run,
                                    SdB24Batch  *batch,
                                    GArray      *creations,
                                    const char  *what,
                                    GError     **error);

/* sd-sync-merge.c */
/* Merges the portal's values @theirs of row @id with the fields changed here and not sent
 * (changed by portal user @author at @at, 0 / NULL when unknown): *@out_merged gets what
 * to write (NULL when nothing changed here: all of @theirs); a field both sides changed to
 * different values is recorded as a conflict and left out. */
gboolean    sd_sync_merge          (SdSyncRun        *run,
                                    SdEntity          entity,
                                    gint64            id,
                                    const SdChanges  *theirs,
                                    gint64            author,
                                    const char       *at,
                                    SdChanges       **out_merged,
                                    GError          **error);
/* Records that the portal deleted row @id, which has changes here not sent yet
 * (SD_CONFLICT_DELETED). */
gboolean    sd_sync_conflict_deleted (SdSyncRun      *run,
                                    SdEntity          entity,
                                    gint64            id,
                                    GError          **error);

/* A journal entry sent as a command of a batch of writes: its key, and whether it creates
 * the row (its answer then carries the server id). */
typedef struct
{
  SdJournalEntry *entry;
  char           *key;
  gboolean        creates;
} SdSyncSent;

void        sd_sync_sent_free      (SdSyncSent  *sent);

/* How a kind of row reads the answers to its writes: the server id a creation answered
 * (0 when none), and what a refused update or deletion means — nothing left to do there
 * (*@done), or a conflict it records (FALSE with @error set when that failed). */
typedef struct
{
  SdEntity    entity;
  const char *what;
  gint64    (*answered_id) (JsonNode     *result);
  gboolean  (*refused)     (SdSyncRun    *run,
                            SdSyncSent   *sent,
                            const GError *command_error,
                            gboolean     *done,
                            GError      **error);
} SdSyncWriteKind;

/* Sends *@batch (sd_sync_send_writes) and settles the entries of @sent: each confirmed one
 * is marked pushed (a creation's server id kept), in one transaction; *@confirmed counts
 * them. A batch lost on the way leaves every entry waiting. Then @sent and *@batch are
 * empty, for the next writes. */
gboolean    sd_sync_settle_writes  (SdSyncRun             *run,
                                    SdB24Batch           **batch,
                                    GPtrArray             *sent,
                                    const SdSyncWriteKind *kind,
                                    guint                 *confirmed,
                                    GError               **error);

/* One pass of a kind's writes; *@skipped counts entries that wait for an earlier one. */
typedef gboolean (*SdSyncPassFunc) (SdSyncRun  *run,
                                    guint      *confirmed,
                                    guint      *skipped,
                                    GError    **error);
/* Passes until nothing waits or a pass confirms nothing (at most 8). */
gboolean    sd_sync_push_rounds    (SdSyncRun      *run,
                                    SdSyncPassFunc  pass,
                                    GError        **error);

/* sd-sync-keyset.c */
typedef gboolean (*SdSyncPageFunc) (SdSyncRun  *run,
                                    JsonArray  *rows,
                                    gpointer    data,
                                    GError    **error);
/* One list method read in full, in ID order (see sd_sync_keyset_export_chains). */
typedef struct
{
  const char         *method;
  JsonObject         *filter;     /* extra conditions, or NULL */
  const char * const *select;
  gint64              expected;   /* its rows, when counted; else -1 */
  SdSyncPageFunc      page;
  gpointer            data;
  const char         *after;      /* the server id to go on after; NULL for all rows */
} SdSyncChain;

gboolean    sd_sync_keyset_export_chains (SdSyncRun         *run,
                                    const SdSyncChain  *chains,
                                    guint               n_chains,
                                    guint               width,
                                    gboolean            write,
                                    GError            **error);
/* One keyset page's parameters: the rows of @filter after ID @after (a number or a
 * $result reference) in ID order, @select's fields, without counting (start=-1). */
JsonObject *sd_sync_keyset_params  (JsonObject         *filter,
                                    const char * const *select,
                                    const char         *after);
gboolean    sd_sync_keyset_export  (SdSyncRun          *run,
                                    const char         *method,
                                    JsonObject         *filter,
                                    const char * const *select,
                                    guint               width,
                                    gint64              expected,
                                    gboolean            write,
                                    SdSyncPageFunc      page,
                                    gpointer            data,
                                    GError            **error);

gboolean    sd_sync_keyset_export_after (SdSyncRun      *run,
                                    const char         *method,
                                    JsonObject         *filter,
                                    const char * const *select,
                                    guint               width,
                                    gint64              expected,
                                    gboolean            write,
                                    SdSyncPageFunc      page,
                                    gpointer            data,
                                    const char         *after,
                                    GError            **error);

/* sd-sync-reference.c: staff, pipelines and user fields are the shared request's first
 * commands (and for a first sync the row counts); applied from run->shared. */
void        sd_sync_reference_ride (SdSyncRun   *run,
                                    SdB24Batch  *batch,
                                    gboolean     first);
gboolean    sd_sync_pull_reference (SdSyncRun   *run,
                                    gboolean     first,
                                    GError     **error);

/* sd-sync-pull.c */
const char *sd_sync_kind_title     (const SdSyncKind *kind);
const char * const *sd_sync_kind_select (SdSyncRun        *run,
                                         const SdSyncKind *kind);
/* Merges one portal row; *@latest (when not NULL) follows the newest DATE_MODIFY. */
gboolean    sd_sync_apply_row      (SdSyncRun        *run,
                                    const SdSyncKind *kind,
                                    JsonObject       *row,
                                    char            **latest,
                                    GError          **error);
gboolean    sd_sync_pull_kind_wide (SdSyncRun        *run,
                                    const SdSyncKind *kind,
                                    guint             width,
                                    GError          **error);
gboolean    sd_sync_pull_requisites (SdSyncRun  *run,
                                    GError     **error);
/* The deal list's select[] (run->deal_select) from the fields the store maps. */
gboolean    sd_sync_load_deal_select (SdSyncRun *run,
                                    GError     **error);
/* Every deal read again when the playbooks map a deal field not read before. */
gboolean    sd_sync_pull_mapped_again (SdSyncRun *run,
                                    GError     **error);
/* The incremental pull's first pages ride in the shared request (when every kind has a
 * cursor); sd_sync_pull_changed then reads them from there. */
void        sd_sync_pull_changed_ride (SdSyncRun *run,
                                    SdB24Batch  *batch,
                                    gboolean     requisites);
/* An incremental pull of every kind (and the requisites, when @requisites): the first
 * page of each in one request; a kind with more rows goes on by itself. */
gboolean    sd_sync_pull_changed   (SdSyncRun  *run,
                                    gboolean    requisites,
                                    GError    **error);
/* Requisite rows (crm.requisite.list) applied to their companies. */
gboolean    sd_sync_apply_requisites (SdSyncRun *run,
                                     JsonArray  *rows,
                                     GError    **error);

/* sd-sync-categories.c: portal categories for pipelines made here */
gboolean    sd_sync_create_categories (SdSyncRun *run,
                                       GError   **error);

/* sd-sync-push.c */
gboolean    sd_sync_push_outbox    (SdSyncRun   *run,
                                    GError     **error);

/* sd-sync-comments.c: timeline comments of deals. The sweep (and, unless the event queue
 * tells, the changed deals') rides in the shared request's free commands. */
void        sd_sync_comments_ride  (SdSyncRun   *run,
                                    SdB24Batch  *batch);
gboolean    sd_sync_pull_comments  (SdSyncRun   *run,
                                    GError     **error);
/* The comments of the deals changed so far are read (at the end of a sync, after the
 * rows our push changed are read back). */
gboolean    sd_sync_comments_seen  (SdSyncRun   *run,
                                    GError     **error);
/* Comments the event queue named (server ids): changed or added, and deleted. */
gboolean    sd_sync_comments_from_events (SdSyncRun *run,
                                    GArray      *changed,
                                    GArray      *gone,
                                    GError     **error);
gboolean    sd_sync_push_comments  (SdSyncRun   *run,
                                    GError     **error);

/* sd-sync-tasks.c: tasks bound to deals; the incremental list's first page rides in the
 * shared request. */
void        sd_sync_tasks_ride     (SdSyncRun   *run,
                                    SdB24Batch  *batch);
/* Tasks whose edit the portal refused ("not allowed": no rights, or deleted) are asked
 * for with the shared request; there, the refusal is a conflict (SD_CONFLICT_REFUSED) and
 * the edit stops going out; gone, a deletion there. */
void        sd_sync_tasks_refused_ride (SdSyncRun *run,
                                    SdB24Batch  *batch);
gboolean    sd_sync_tasks_refused_take (SdSyncRun *run,
                                    GError     **error);
gboolean    sd_sync_pull_tasks     (SdSyncRun   *run,
                                    GError     **error);
/* Tasks the event queue named (server ids): changed or added, and deleted. */
gboolean    sd_sync_tasks_from_events (SdSyncRun *run,
                                    GArray      *changed,
                                    GArray      *gone,
                                    GError     **error);
gboolean    sd_sync_push_tasks     (SdSyncRun   *run,
                                    GError     **error);
gboolean    sd_sync_check_tasks    (SdSyncRun   *run,
                                    GError     **error);

/* sd-sync-messages.c: the automation outbox handed to the portal */
gboolean    sd_sync_send_messages  (SdSyncRun   *run,
                                    GError     **error);

/* sd-sync-parties.c: contact channels, company phone/e-mail and requisites */
gboolean    sd_sync_collect_parties (SdSyncRun  *run,
                                    GError     **error);
gboolean    sd_sync_party_held     (SdSyncRun   *run,
                                    SdEntity     entity,
                                    gint64       id);
/* Merges the portal's phones and e-mails of a contact with channels changed here and not
 * sent (@portal: "kind\tVALUE\tVALUE_TYPE" in the portal's order), kind by kind: changed
 * there only, taken; here only, kept; on both sides, a conflict on the contact. */
gboolean    sd_sync_merge_channels (SdSyncRun   *run,
                                    gint64       contact,
                                    GPtrArray   *portal,
                                    gint64       author,
                                    const char  *at,
                                    GError     **error);
gboolean    sd_sync_push_parties   (SdSyncRun   *run,
                                    GError     **error);
guint       sd_sync_parties_waiting (SdSyncRun  *run);

/* sd-sync-responsible.c: ASSIGNED_BY_ID <-> the deal's "main" responsible. @fresh: the
 * deal was created by this pull, so it has no responsible rows to look at yet. */
gboolean    sd_sync_apply_responsible (SdSyncRun  *run,
                                    gint64       deal,
                                    JsonObject  *row,
                                    gboolean     fresh,
                                    GError     **error);
gboolean    sd_sync_push_responsibles (SdSyncRun *run,
                                    GError     **error);

/* sd-sync-check.c */
gboolean    sd_sync_delete_local   (SdSyncRun        *run,
                                    const SdSyncKind *kind,
                                    gint64            id,
                                    GError          **error);
gboolean    sd_sync_check_kind     (SdSyncRun        *run,
                                    const SdSyncKind *kind,
                                    GError          **error);

/* sd-sync-events.c: the offline event queue (OAuth) */
void        sd_sync_events_prepare      (SdSyncRun  *run);
/* Whether the queue stands in for the scan in this sync (bound since an earlier sync,
 * nothing left half-read). */
gboolean    sd_sync_events_live         (SdSyncRun  *run);
/* Whether the events are bound as this version binds them. */
gboolean    sd_sync_events_bound        (SdSyncRun  *run);
/* The shared request also clears what earlier syncs finished and, when live, takes the
 * first page of the queue. */
void        sd_sync_events_add_commands (SdSyncRun  *run,
                                         SdB24Batch *batch);
gboolean    sd_sync_events_take_answer  (SdSyncRun  *run,
                                         JsonObject *answer,
                                         GError    **error);
gboolean    sd_sync_bind_events         (SdSyncRun  *run,
                                         GError    **error);
gboolean    sd_sync_drain_events        (SdSyncRun  *run,
                                         gboolean    live,
                                         GError    **error);
gboolean    sd_sync_events_pending      (SdSyncRun  *run);
gboolean    sd_sync_events_clear_pending (SdSyncRun *run,
                                         GError    **error);

G_END_DECLS
