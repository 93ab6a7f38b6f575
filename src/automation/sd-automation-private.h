/* sd-automation-private.h: what the engine's files share; not for other code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-automation.h"
#include "sd-automation-db.h"
#include "sd-playbook-private.h"
#include "sd-rating.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  id;
  gint64  user_id;
} SdNewNotification;

struct _SdAutomation
{
  GObject      parent_instance;
  SdStore     *store;
  GHashTable  *playbooks;   /* pipeline code -> SdPlaybook */
  GHashTable  *rules;       /* rule id -> SdRule (owned by its playbook) */
  GArray      *new_notifications; /* SdNewNotification written in the open transaction */
};

/* One event being handled: what the rules look at and what the actions report. */
typedef struct
{
  SdAutomation            *self;
  const SdAutomationEvent *event;
  const SdPlaybook        *pb;
  const SdDealPlace       *place;     /* where the deal is */
  GHashTable              *facts;     /* owned; read when first needed: sd_automation_facts () */
  const SdRule            *rule;      /* the rule running */
  const char              *instance;  /* the run's trigger instance */
  GPtrArray               *done;      /* what the actions did, one sentence each */
  GQueue                  *follow;    /* SdAutomationEvent * the actions caused */
} SdRun;

/* The deal's facts (sd_automation_db_deal_facts ()), read on first use: events that only
 * set timers or were handled before need none. */
GHashTable *sd_automation_facts         (SdRun             *run);
void        sd_run_clear                (SdRun             *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SdRun, sd_run_clear)

/* sd-automation-eval.c */
gboolean  sd_automation_condition_holds (SdRun             *run,
                                         const SdCondition *condition);
/* The template in the interface language, {placeholders} filled from the facts. */
char     *sd_automation_expand          (SdRun                *run,
                                         const SdPlaybookText *text);
gint64    sd_automation_fact_int        (SdRun      *run,
                                         const char *name);

/* sd-automation-actions.c */
gboolean  sd_automation_apply           (SdRun              *run,
                                         const SdRuleAction *action,
                                         GError            **error);
/* Resolves "responsible", "head", "head_chain", "actor", "role:X", "user:X" into user ids
 * (without repeats, in order). */
GArray   *sd_automation_people          (SdRun      *run,
                                         GStrv       people);
/* Moves the deal as the system actor and queues its entered event. */
gboolean  sd_automation_move            (SdRun      *run,
                                         gint64      stage_id,
                                         GError    **error);
gboolean  sd_automation_log             (SdRun      *run,
                                         const char *text,
                                         GError    **error);

/* sd-distribution.c: the responsible for a new form deal among @role (R-AUTO-3). */
gint64    sd_distribution_pick          (SdStore    *store,
                                         const char *role,
                                         GError    **error);

/* sd-automation.c: announces the notifications written since the last call; after the
 * outermost commit only. */
void      sd_automation_emit_notifications (SdAutomation *self);

/* sd-automation-vote.c (R-AUTO-11): puts a seller rated for promotion to a vote of the
 * group; closes a vote whose time is up. */
gboolean  sd_automation_open_vote       (SdAutomation         *self,
                                         const SdPlaybook     *pb,
                                         const char           *rule_id,
                                         const SdSellerRating *rating,
                                         const char           *period,
                                         gint64                period_end,
                                         GError              **error);
gboolean  sd_automation_vote_timer      (SdAutomation         *self,
                                         SdAutomationTimer    *timer,
                                         GError              **error);

/* sd-automation.c: ::run-failed, and a warning. */
void      sd_automation_report_failure  (SdAutomation *self,
                                         gint64        deal_id,
                                         const GError *error);

/* sd-automation.c: the guards of a stage that do not hold, their messages joined. */
char     *sd_automation_refusal         (SdRun      *run,
                                         const SdPlaybookStage *stage);

G_END_DECLS
