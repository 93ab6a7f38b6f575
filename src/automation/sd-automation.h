/* sd-automation.h: the automation engine — playbook rules run against a store.
 *
 * Events go in (a deal was created, entered a stage, got a file, …); the rules of the
 * deal's playbook turn them into actions applied through the store as the system actor,
 * so they are journaled and synced, and each rule run is logged on the deal's timeline
 * with the rule and the reason. A run is keyed by (rule, deal, trigger instance) in the
 * database: replaying events or restarting never fires a rule twice. Delays and repeats
 * are timer rows that sd_automation_run_due() fires in due order, however late.
 *
 * GTK-free; the UI's bell reads the notifications with sd-notification.h and hears of new
 * ones through ::notification-added.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-notification.h"
#include "sd-playbook.h"
#include "sd-rule.h"
#include "sd-store.h"

G_BEGIN_DECLS

#define SD_AUTOMATION_ERROR (sd_automation_error_quark ())

typedef enum
{
  SD_AUTOMATION_ERROR_GUARD,    /* a guard refuses the stage: the message says what is missing */
  SD_AUTOMATION_ERROR_INVALID,  /* an event the engine cannot key (no instance) */
} SdAutomationError;

GQuark sd_automation_error_quark (void);

typedef struct
{
  SdEventKind  kind;
  gint64       deal_id;
  gint64       actor_id;   /* who caused it; 0 (SD_ACTOR_SYSTEM) for the portal or a timer */
  const char  *field;      /* field_changed: which one */
  const char  *file_kind;  /* file_attached: the file's kind */
  /* What makes this event this one and not another of the same kind on the deal: a file
   * or payment id, a journal entry id, a form submission id. Required for field_changed,
   * file_attached, payment_added and assigned; the others happen once a deal, or (entered)
   * once a stay in a stage, and are keyed so when it is NULL. */
  const char  *instance;
  const char  *lead;       /* converted: the lead's title, for {lead}; else NULL */
} SdAutomationEvent;

#define SD_TYPE_AUTOMATION (sd_automation_get_type ())
G_DECLARE_FINAL_TYPE (SdAutomation, sd_automation, SD, AUTOMATION, GObject)

SdAutomation *sd_automation_new            (SdStore            *store);
SdStore      *sd_automation_get_store      (SdAutomation       *self);
/* Adds the rules of an installed playbook; takes @pb. A later one of the same code
 * replaces the earlier. */
void          sd_automation_add_playbook   (SdAutomation       *self,
                                            SdPlaybook         *pb);

/* Runs what the event triggers, and what that causes in turn, in one transaction. */
gboolean      sd_automation_handle         (SdAutomation       *self,
                                            const SdAutomationEvent *event,
                                            GError            **error);

/* Turns the journal's entries since the last call into events and handles them: what
 * people did at this desktop and what the sync pulled from the portal. The system's own
 * local writes (rules, playbook installs) are not events. Events are keyed by their entry,
 * "journal:ID" — use the same instance when reporting one by hand — so reading an entry
 * twice is harmless.
 *
 * The entries are handled in order, SD_AUTOMATION_JOURNAL_BATCH to a transaction, each
 * event in a savepoint of its own: an event that fails undoes only its own work and is
 * reported with ::run-failed (the reading goes on past it); the cursor moves with the
 * commit. Returns the number of entries read, or -1 with @error (nothing of the failed
 * transaction is kept, the cursor stays). */
#define SD_AUTOMATION_JOURNAL_BATCH 2000
gint          sd_automation_process_journal (SdAutomation      *self,
                                             GError           **error);
/* The same for at most @max_entries entries, in one transaction: the runner's step, which
 * gives the main loop back between steps. A result of @max_entries means there may be
 * more. */
gint          sd_automation_process_journal_max (SdAutomation  *self,
                                                 guint          max_entries,
                                                 GError       **error);

/* Where an engine starts on a database that has history but was never read: the entries
 * there are the past (a demo, an earlier install), not events to act on now. Does nothing
 * once the journal has been read. */
gboolean      sd_automation_start_from_now (SdAutomation      *self,
                                            GError           **error);

/* R-AUTO-4: a lead became this deal (the sync reports the portal's conversions, the UI
 * its own). @lead_key makes the event this one (the lead's id, e.g. "b24:123"; a lead is
 * converted once), @lead_title is what {lead} says. Runs the rules listening to
 * "converted", in one transaction, as sd_automation_handle() does. */
gboolean      sd_automation_report_converted (SdAutomation     *self,
                                              gint64            deal_id,
                                              const char       *lead_key,
                                              const char       *lead_title,
                                              gint64            actor_id,
                                              GError          **error);

/* R-AUTO-11: the promotion of a seller after a vote of their group (docs/PLAYBOOKS.md,
 * "Seller rating"). */
typedef struct
{
  gint64  id;
  gint64  candidate_id;
  char   *candidate;    /* their name */
  char   *position;     /* what they would become */
  char   *question;     /* as the voters were asked */
  gint64  closes_at;    /* UTC seconds */
  int     voted;        /* this voter's vote: 1 for, 0 against, -1 not yet */
} SdVote;

void          sd_vote_free                 (SdVote            *vote);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdVote, sd_vote_free)
/* The open votes @voter_id may vote in (SdVote *). */
GPtrArray    *sd_automation_list_open_votes (SdAutomation     *self,
                                             gint64            voter_id,
                                             GError          **error);
/* Records @voter_id's vote (a later one replaces it); when more than the playbook's share
 * of the group voted for it, the candidate's position changes (a journaled store write),
 * they are told, and the feed announces it. FALSE with SD_AUTOMATION_ERROR_INVALID for a
 * closed or unknown vote or someone not of the group. */
gboolean      sd_automation_cast_vote      (SdAutomation      *self,
                                            gint64             vote_id,
                                            gint64             voter_id,
                                            gboolean           yes,
                                            gboolean          *promoted,
                                            GError           **error);

/* Whether the deal may enter the stage: FALSE with SD_AUTOMATION_ERROR_GUARD and the
 * guards' messages ("Attach at least one photo") when it may not. */
gboolean      sd_automation_check_enter    (SdAutomation       *self,
                                            gint64              deal_id,
                                            gint64              stage_id,
                                            gint64              actor_id,
                                            GError            **error);
/* A person moves a deal: guards, then the move as the store's actor, then the rules of
 * the stage entered. */
gboolean      sd_automation_move_deal      (SdAutomation       *self,
                                            gint64              deal_id,
                                            gint64              stage_id,
                                            GError            **error);

/* Fires every timer due by the store's clock, earliest first, 256 to a transaction, each
 * in a savepoint: one that fails is undone alone, reported (::run-failed) and tried again
 * an hour later under the same key; a repeating one overdue by several periods fires once
 * and is set to its next period. Returns how many fired, or -1 with @error. */
gint          sd_automation_run_due        (SdAutomation       *self,
                                            GError            **error);

G_END_DECLS
