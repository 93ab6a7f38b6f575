/* sd-automation-db.h: the SQL of the automation engine — its own tables (runs, timers,
 * notifications, outbox, rotation) and the reads its rules need — on the store's one
 * connection, so that it shares the store's transaction. Not for other code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

/* What a rule may look at in one deal: field name -> text (absent when empty). Numbers
 * are decimal text; money in kopecks. Also the ids the engine needs ("#stage_id", …). */
GHashTable *sd_automation_db_deal_facts   (SdStore     *store,
                                           gint64       deal_id,
                                           GError     **error);
/* Where a deal is: all most events need to tell that no rule listens. */
typedef struct
{
  char   *pipeline;    /* code */
  char   *stage;       /* code */
  gint64  stage_id;
  char   *entered_at;  /* when it entered the stage: with the stage, its stay */
} SdDealPlace;

void        sd_deal_place_clear           (SdDealPlace *place);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SdDealPlace, sd_deal_place_clear)
gboolean    sd_automation_db_deal_place   (SdStore     *store,
                                           gint64       deal_id,
                                           SdDealPlace *out,
                                           GError     **error);
gint64      sd_automation_db_count_files  (SdStore     *store,
                                           gint64       deal_id,
                                           const char  *kind);
/* Ids of the deal's files of any of @kinds, as a JSON array, or NULL when none. */
char       *sd_automation_db_file_ids     (SdStore     *store,
                                           gint64       deal_id,
                                           const char *const *kinds);

/* The code of the custom field a deal_fields row holds a value of. */
char       *sd_automation_db_field_code   (SdStore *store, gint64 deal_field_id);
char       *sd_automation_db_stage_code   (SdStore *store, gint64 stage_id);
gint64      sd_automation_db_deal_field_row (SdStore *store, gint64 deal_id, gint64 field_id);
/* Whether the person's position is already @position (R-AUTO-11). */
gboolean    sd_automation_db_user_has_position (SdStore *store, gint64 user_id, const char *position);
/* Whether @voter_id may vote on the promotion of @candidate_id: another active person of
 * the candidate's role. */
gboolean    sd_automation_db_may_vote (SdStore *store, gint64 vote_id, const char *rule,
                                       gint64 voter_id, gint64 candidate_id);
/* The contact_fields row of a contact's custom field, or 0. */
gint64      sd_automation_db_contact_field_row (SdStore *store, gint64 contact_id, gint64 field_id);

/* People. */
gint64      sd_automation_db_responsible  (SdStore *store, gint64 deal_id);
gint64      sd_automation_db_responsible_row (SdStore *store, gint64 deal_id);
/* The head of @user_id's department, or of the one above when @user_id heads it. */
gint64      sd_automation_db_head_of      (SdStore *store, gint64 user_id);
/* The active people with the role: someone on leave is inactive. */
GArray     *sd_automation_db_users_with_role (SdStore *store, const char *role_code);
char       *sd_automation_db_role_of      (SdStore *store, gint64 user_id);
char       *sd_automation_db_user_name    (SdStore *store, gint64 user_id);
char       *sd_automation_db_user_contact (SdStore *store, gint64 user_id, const char *column);
char       *sd_automation_db_contact_channel (SdStore *store, gint64 contact_id,
                                              const char *kind);

/* 1 when the run is new and now claimed, 0 when it ran before, -1 on error. */
int         sd_automation_db_claim_run    (SdStore     *store,
                                           const char  *key,
                                           gint64       deal_id,
                                           const char  *rule,
                                           GError     **error);

typedef struct
{
  gint64  id;
  char   *key;
  gint64  deal_id;
  char   *rule;
  gint64  stage_id;
  char   *entered_at;
  gint64  due_at;
  gint64  repeat_every;
  gint64  occurrence;
} SdAutomationTimer;

void        sd_automation_timer_free      (SdAutomationTimer *timer);
gboolean    sd_automation_db_add_timer    (SdStore     *store,
                                           const SdAutomationTimer *timer,
                                           GError     **error);
/* The earliest timer due at or before @now, or NULL. */
SdAutomationTimer *sd_automation_db_next_due (SdStore  *store,
                                              gint64    now,
                                              GError  **error);
gboolean    sd_automation_db_reschedule   (SdStore     *store,
                                           gint64       timer_id,
                                           gint64       due_at,
                                           gint64       occurrence,
                                           GError     **error);
gboolean    sd_automation_db_drop_timer   (SdStore     *store,
                                           gint64       timer_id,
                                           GError     **error);

gint64      sd_automation_db_add_notification (SdStore    *store,
                                               gint64      user_id,
                                               gint64      deal_id,
                                               const char *text,
                                               const char *rule,
                                               GError    **error);
gboolean    sd_automation_db_add_outbox   (SdStore     *store,
                                           gint64       deal_id,
                                           const char  *channel,
                                           gint64       user_id,
                                           gint64       contact_id,
                                           const char  *address,
                                           const char  *subject,
                                           const char  *body,
                                           const char  *attachments,
                                           const char  *rule,
                                           GError     **error);

/* Distribution (R-AUTO-3). */
typedef struct
{
  gint64  user_id;
  double  weight;
  double  credit;
} SdRotationEntry;

/* The pool's entries measured on @day, or an empty array when they are not. */
GArray     *sd_automation_db_rotation     (SdStore     *store,
                                           const char  *pool,
                                           const char  *day,
                                           GError     **error);
gboolean    sd_automation_db_save_rotation (SdStore    *store,
                                            const char *pool,
                                            const char *day,
                                            GArray     *entries,
                                            GError    **error);
/* Tasks the person has still to do. */
gint64      sd_automation_db_open_tasks   (SdStore     *store,
                                           gint64       user_id);

/* A seller's figures over [@from_iso, @to_iso): won amount, monthly plan, tasks closed and
 * closed on time. */
gboolean    sd_automation_db_seller_figures (SdStore    *store,
                                             gint64      user_id,
                                             const char *from_iso,
                                             const char *to_iso,
                                             gint64     *out_won,
                                             gint64     *out_plan,
                                             gint64     *out_closed,
                                             gint64     *out_on_time,
                                             GError    **error);

G_END_DECLS

/* The automation outbox as the sync reads it (src/bitrix): messages not handed to the
 * portal yet, oldest first. */
typedef struct
{
  gint64  id;
  gint64  deal_id;      /* 0: none */
  char   *channel;      /* "email", "sms", "messenger", "im", "feed" */
  gint64  user_id;      /* staff recipient, 0: none */
  gint64  contact_id;   /* client recipient, 0: none */
  char   *address;
  char   *subject;
  char   *body;
  char   *rule;
} SdOutboxMessage;

void        sd_outbox_message_free        (SdOutboxMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdOutboxMessage, sd_outbox_message_free)
GPtrArray  *sd_automation_db_pending_outbox (SdStore   *store,
                                             guint      limit,
                                             GError   **error);
guint       sd_automation_db_count_pending_outbox (SdStore *store);
/* Sets sent_at: the portal confirmed the message. */
gboolean    sd_automation_db_mark_outbox_sent (SdStore  *store,
                                               gint64    id,
                                               GError  **error);
