/* sd-automation.c: the engine — events in, rules matched, actions out, runs keyed.
 *
 * An event and everything it causes (a trigger's move, the robots of the stage entered, a
 * field a robot set) are handled in one store transaction, so a crash leaves either all of
 * it or none. Every run first claims its key (rule, deal, trigger instance) in
 * automation_runs; a key already there means the run happened, and nothing is done again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation-private.h"
#include "sd-automation-db.h"
#include "sd-rating.h"
#include "sd-records.h"
#include "sd-money.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* A rule that moves a deal to a stage whose rule moves it back would loop. */
#define MAX_CASCADE 32

G_DEFINE_QUARK (sd-automation-error-quark, sd_automation_error)

G_DEFINE_FINAL_TYPE (SdAutomation, sd_automation, G_TYPE_OBJECT)

enum
{
  NOTIFICATION_ADDED,
  DOCUMENT_REQUESTED,
  RUN_FAILED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
sd_automation_finalize (GObject *object)
{
  SdAutomation *self = SD_AUTOMATION (object);

  g_clear_object (&self->store);
  g_hash_table_unref (self->rules);
  g_hash_table_unref (self->playbooks);
  g_array_unref (self->new_notifications);
  G_OBJECT_CLASS (sd_automation_parent_class)->finalize (object);
}

static void
sd_automation_class_init (SdAutomationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sd_automation_finalize;

  /**
   * SdAutomation::notification-added:
   * @id: the notification's id
   * @user_id: whom it is for
   *
   * Emitted after the commit that wrote it: the bell updates its count.
   */
  signals[NOTIFICATION_ADDED] = g_signal_new ("notification-added", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
  /**
   * SdAutomation::document-requested:
   * @deal_id: the deal
   * @kind: "estimate", "invoice", "act" or "contract"
   *
   * A robot asks for a document; the documents work makes it. Emitted inside the rule's
   * transaction, so a handler's store writes commit with the run. A handler should only
   * write through the store: when a step of the journal is rolled back because one of its
   * events failed, and done again with a savepoint an event, the signal comes again for
   * the same run (its first writes were rolled back with the step).
   */
  signals[DOCUMENT_REQUESTED] = g_signal_new ("document-requested", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
  /**
   * SdAutomation::run-failed:
   * @deal_id: the deal the event or timer was about (0: none)
   * @message: what went wrong
   *
   * An event read from the journal, or a timer, failed while others of the same
   * transaction went on: its own work was rolled back (a savepoint), the rest is kept.
   * The runner reports it (SdAutomationRunner::failed).
   */
  signals[RUN_FAILED] = g_signal_new ("run-failed", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

void
sd_automation_report_failure (SdAutomation *self,
                              gint64        deal_id,
                              const GError *error)
{
  g_message ("Automation on deal %" G_GINT64_FORMAT ": %s", deal_id, error->message);
  g_signal_emit (self, signals[RUN_FAILED], 0, deal_id, error->message);
}

static void
sd_automation_init (SdAutomation *self)
{
  self->playbooks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) sd_playbook_free);
  self->rules = g_hash_table_new (g_str_hash, g_str_equal);
  self->new_notifications = g_array_new (FALSE, FALSE, sizeof (SdNewNotification));
}

SdAutomation *
sd_automation_new (SdStore *store)
{
  SdAutomation *self = g_object_new (SD_TYPE_AUTOMATION, NULL);

  self->store = g_object_ref (store);
  return self;
}

SdStore *
sd_automation_get_store (SdAutomation *self)
{
  g_return_val_if_fail (SD_IS_AUTOMATION (self), NULL);
  return self->store;
}

void
sd_automation_add_playbook (SdAutomation *self,
                            SdPlaybook   *pb)
{
  g_autofree char *prefix = g_strconcat (pb->code, "/", NULL);
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (SD_IS_AUTOMATION (self));

  /* Rule ids start with the playbook code; they are the replaced playbook's strings, so
   * they go before it does. */
  g_hash_table_iter_init (&iter, self->rules);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
  g_hash_table_replace (self->playbooks, pb->code, pb);
  for (guint s = 0; s < pb->stages->len; s++)
    {
      const SdPlaybookStage *stage = pb->stages->pdata[s];

      for (guint r = 0; r < stage->rules->len; r++)
        {
          SdRule *rule = stage->rules->pdata[r];
          g_hash_table_insert (self->rules, rule->id, rule);
        }
    }
}

static const char *
rule_name (const SdRule *rule)
{
  return rule->name != NULL ? sd_playbook_text_get (rule->name, NULL) : rule->code;
}

static char *
stage_name_of (const SdPlaybook *pb,
               const char       *code)
{
  const SdPlaybookStage *stage = sd_playbook_find_stage (pb, code);
  return g_strdup (stage != NULL ? sd_playbook_text_get (stage->name, NULL) : code);
}

/* A custom field by its name; the deal's own columns by their code. */
static const char *
field_name (const SdPlaybook *pb,
            const char       *code)
{
  for (guint i = 0; i < pb->fields->len; i++)
    {
      const SdPlaybookField *field = pb->fields->pdata[i];
      if (g_strcmp0 (field->code, code) == 0)
        return sd_playbook_text_get (field->name, NULL);
    }
  return code;
}

/* Why the rule ran, as the end of the timeline's sentence. */
static char *
reason (SdRun *run)
{
  const SdAutomationEvent *event = run->event;

  switch (event->kind)
    {
    case SD_EVENT_ENTERED:
      {
        g_autofree char *stage = stage_name_of (run->pb, run->place->stage);
        return g_strdup_printf (_("the deal entered “%s”"), stage);
      }
    case SD_EVENT_CREATED:
      return g_strdup (_("the deal was created"));
    case SD_EVENT_FORM_RECEIVED:
      return g_strdup (_("a form was received"));
    case SD_EVENT_FIELD_CHANGED:
      return g_strdup_printf (_("“%s” changed"), field_name (run->pb, event->field));
    case SD_EVENT_FILE_ATTACHED:
      return g_strdup_printf (_("a file (%s) was attached"), event->file_kind);
    case SD_EVENT_PAYMENT_ADDED:
      return g_strdup (_("a payment was added"));
    case SD_EVENT_APPROVAL_GIVEN:
      return g_strdup (_("the deal was approved"));
    case SD_EVENT_CONVERTED:
      return g_strdup (_("a lead was converted into this deal"));
    case SD_EVENT_ASSIGNED:
      return g_strdup (_("the responsible was chosen by hand"));
    case SD_EVENT_TIMER:
      return g_strdup (_("its time came"));
    default:
      g_assert_not_reached ();
    }
}

static gboolean
log_run (SdRun   *run,
         GError **error)
{
  g_autofree char *why = reason (run);
  g_autofree char *what = NULL;
  g_autofree char *text = NULL;

  g_ptr_array_add (run->done, NULL);
  what = g_strjoinv ("; ", (char **) run->done->pdata);
  g_ptr_array_set_size (run->done, run->done->len - 1);
  if (run->rule->kind == SD_RULE_TRIGGER)
    /* Translators: a line on a deal's timeline: the trigger's name, what it did, why */
    text = g_strdup_printf (_("Trigger “%s”: %s. Because %s."), rule_name (run->rule), what, why);
  else
    /* Translators: a line on a deal's timeline: the robot's name, what it did, why */
    text = g_strdup_printf (_("Robot “%s”: %s. Because %s."), rule_name (run->rule), what, why);
  return sd_automation_log (run, text, error);
}

char *
sd_automation_refusal (SdRun                 *run,
                       const SdPlaybookStage *stage)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < stage->rules->len; i++)
    {
      const SdRule *rule = stage->rules->pdata[i];

      if (rule->kind == SD_RULE_GUARD && rule->enabled
          && !sd_automation_condition_holds (run, rule->when))
        g_ptr_array_add (missing, g_strdup (sd_playbook_text_get (rule->message, NULL)));
    }
  if (missing->len == 0)
    return NULL;
  g_ptr_array_add (missing, NULL);
  return g_strjoinv ("; ", (char **) missing->pdata);
}

static gboolean
event_matches (const SdRule            *rule,
               const SdAutomationEvent *event)
{
  return rule->enabled && rule->on == event->kind
         && (rule->on_field == NULL || g_strcmp0 (rule->on_field, event->field) == 0)
         && (rule->on_file_kind == NULL || g_strcmp0 (rule->on_file_kind, event->file_kind) == 0);
}

/* 1: claimed now, 0: ran before, -1: error. */
static int
claim (SdRun   *run,
       GError **error)
{
  g_autofree char *key = g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%s", run->rule->id,
                                          run->event->deal_id, run->instance);
  return sd_automation_db_claim_run (run->self->store, key, run->event->deal_id, run->rule->id,
                                     error);
}

static gboolean
run_actions (SdRun   *run,
             GError **error)
{
  g_ptr_array_set_size (run->done, 0);
  if (!sd_automation_condition_holds (run, run->rule->when))
    return TRUE;
  for (guint i = 0; i < run->rule->actions->len; i++)
    if (!sd_automation_apply (run, run->rule->actions->pdata[i], error))
      return FALSE;
  return log_run (run, error);
}

/* Triggers of the other stages: the first that matches moves the deal. */
static gboolean
run_triggers (SdRun   *run,
              GError **error)
{
  const char *current = run->place->stage;
  const SdPlaybookStage *from = sd_playbook_find_stage (run->pb, current);

  for (guint s = 0; from != NULL && s < run->pb->stages->len; s++)
    {
      const SdPlaybookStage *stage = run->pb->stages->pdata[s];

      if (stage == from)
        continue;
      for (guint r = 0; r < stage->rules->len; r++)
        {
          const SdRule *rule = stage->rules->pdata[r];
          g_autofree char *refusal = NULL;
          g_autofree char *name = NULL;
          gint64 stage_id;
          int claimed;

          if (rule->kind != SD_RULE_TRIGGER || !event_matches (rule, run->event))
            continue;
          /* Without "from", a trigger only moves deals forward from a stage in progress. */
          if (rule->from != NULL ? !g_strv_contains ((const char *const *) rule->from, current)
                                 : (stage->sort <= from->sort
                                    || strcmp (from->semantics, "process") != 0))
            continue;
          run->rule = rule;
          if (!sd_automation_condition_holds (run, rule->when))
            continue;
          if ((claimed = claim (run, error)) <= 0)
            return claimed == 0;
          g_ptr_array_set_size (run->done, 0);
          name = g_strdup (sd_playbook_text_get (stage->name, NULL));
          refusal = sd_automation_refusal (run, stage);
          stage_id = sd_store_find_stage (run->self->store,
                                          sd_automation_fact_int (run, "#pipeline_id"), stage->code);
          if (refusal != NULL)
            g_ptr_array_add (run->done, g_strdup_printf (_("could not move the deal to “%s”: %s"),
                                                         name, refusal));
          else if (!sd_automation_move (run, stage_id, error))
            return FALSE;
          else
            g_ptr_array_add (run->done, g_strdup_printf (_("moved the deal to “%s”"), name));
          return log_run (run, error);
        }
    }
  return TRUE;
}

/* When the event happened: a robot's delay counts from when the deal entered the stage
 * ("a year after it was won"), even if the event reached the engine later, from a pull. */
static gint64
event_time (SdRun *run)
{
  g_autoptr(GDateTime) entered = NULL;

  if (run->event->kind == SD_EVENT_ENTERED && run->place->entered_at != NULL)
    entered = g_date_time_new_from_iso8601 (run->place->entered_at, NULL);
  return entered != NULL ? g_date_time_to_unix (entered) : sd_store_now (run->self->store);
}

static gboolean
run_robots (SdRun   *run,
            GError **error)
{
  const SdPlaybookStage *stage = sd_playbook_find_stage (run->pb, run->place->stage);

  for (guint r = 0; stage != NULL && r < stage->rules->len; r++)
    {
      const SdRule *rule = stage->rules->pdata[r];
      int claimed;

      if (rule->kind != SD_RULE_ROBOT || !event_matches (rule, run->event))
        continue;
      run->rule = rule;
      if ((claimed = claim (run, error)) < 0)
        return FALSE;
      if (claimed == 0)
        continue;
      if (rule->delay > 0 || rule->repeat > 0)
        {
          g_autofree char *key = g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%s", rule->id,
                                                  run->event->deal_id, run->instance);
          SdAutomationTimer timer = {
            .key = key,
            .deal_id = run->event->deal_id,
            .rule = rule->id,
            /* Robots of a stage wait for the deal in it; a stay is its entry time. */
            .stage_id = run->place->stage_id,
            .entered_at = run->place->entered_at,
            .due_at = event_time (run) + (rule->delay > 0 ? rule->delay : rule->repeat),
            .repeat_every = rule->repeat,
          };
          if (!sd_automation_db_add_timer (run->self->store, &timer, error))
            return FALSE;
          continue;
        }
      if (!run_actions (run, error))
        return FALSE;
    }
  return TRUE;
}

/* Whether a trigger of any stage or a robot of @stage listens to @event. */
static gboolean
might_match (const SdPlaybook        *pb,
             const char              *stage,
             const SdAutomationEvent *event)
{
  for (guint s = 0; s < pb->stages->len; s++)
    {
      const SdPlaybookStage *candidate = pb->stages->pdata[s];
      gboolean current = strcmp (candidate->code, stage) == 0;

      for (guint r = 0; r < candidate->rules->len; r++)
        {
          const SdRule *rule = candidate->rules->pdata[r];

          if ((rule->kind == SD_RULE_TRIGGER || (current && rule->kind == SD_RULE_ROBOT))
              && event_matches (rule, event))
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
instance_required (SdEventKind kind)
{
  return kind == SD_EVENT_FIELD_CHANGED || kind == SD_EVENT_FILE_ATTACHED
         || kind == SD_EVENT_PAYMENT_ADDED || kind == SD_EVENT_ASSIGNED;
}

/* Handles one event; what it causes goes to @follow. */
static gboolean
handle_one (SdAutomation            *self,
            const SdAutomationEvent *event,
            const char              *parent_instance,
            GQueue                  *follow,
            GError                 **error)
{
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *instance = NULL;
  g_auto(SdDealPlace) place = { NULL };
  g_auto(SdRun) run = { self, event, NULL, &place, NULL, NULL, NULL, done, follow };
  guint queued;

  if (event->instance == NULL && parent_instance == NULL && instance_required (event->kind))
    {
      g_set_error (error, SD_AUTOMATION_ERROR, SD_AUTOMATION_ERROR_INVALID,
                   "A %s event needs an instance to be keyed by",
                   sd_event_kind_to_string (event->kind));
      return FALSE;
    }
  /* Most events match no rule: tell so from where the deal is, before reading it whole. */
  if (!sd_automation_db_deal_place (self->store, event->deal_id, &place, error))
    return FALSE;
  run.pb = g_hash_table_lookup (self->playbooks, place.pipeline);
  if (run.pb == NULL || !might_match (run.pb, place.stage, event))
    return TRUE;

  if (event->kind == SD_EVENT_ENTERED)
    instance = g_strdup_printf ("%" G_GINT64_FORMAT "@%s", place.stage_id, place.entered_at);
  else if (event->instance != NULL)
    instance = g_strdup (event->instance);
  else if (parent_instance != NULL)
    /* Caused by a rule: keyed by what caused it. */
    instance = g_strdup_printf ("%s>%s:%s", parent_instance, sd_event_kind_to_string (event->kind),
                                event->field != NULL ? event->field : "");
  else
    instance = g_strdup (sd_event_kind_to_string (event->kind));
  run.instance = instance;

  queued = g_queue_get_length (follow);
  if (event->kind != SD_EVENT_ENTERED && !run_triggers (&run, error))
    return FALSE;
  /* A trigger that moved the deal handed it to the new stage's robots. */
  if (g_queue_get_length (follow) > queued)
    return TRUE;
  return run_robots (&run, error);
}

void
sd_automation_emit_notifications (SdAutomation *self)
{
  g_autoptr(GArray) written = g_array_copy (self->new_notifications);

  g_array_set_size (self->new_notifications, 0);
  for (guint i = 0; i < written->len; i++)
    {
      const SdNewNotification *n = &g_array_index (written, SdNewNotification, i);
      g_signal_emit (self, signals[NOTIFICATION_ADDED], 0, n->id, n->user_id);
    }
}

/* What the actions of a run caused, handled in turn, keyed by what caused them. */
static gboolean
drain (SdAutomation  *self,
       GQueue        *queue,
       const char    *cause,
       GError       **error)
{
  guint n = 0;

  while (!g_queue_is_empty (queue))
    {
      g_autofree SdAutomationEvent *next = g_queue_pop_head (queue);
      g_autofree char *instance = g_strdup_printf ("%s#%u", cause, n);

      if (++n > MAX_CASCADE)
        {
          g_warning ("Automation stopped a chain of more than %d rule runs on deal %"
                     G_GINT64_FORMAT, MAX_CASCADE, next->deal_id);
          while (!g_queue_is_empty (queue))
            g_free (g_queue_pop_head (queue));
          return TRUE;
        }
      next->actor_id = SD_ACTOR_SYSTEM;
      if (!handle_one (self, next, instance, queue, error))
        {
          while (!g_queue_is_empty (queue))
            g_free (g_queue_pop_head (queue));
          return FALSE;
        }
    }
  return TRUE;
}

typedef gboolean (*Work) (SdAutomation *self, gpointer data, GError **error);

/* Runs @work as the system actor in one transaction; notifications are announced after
 * the outermost commit. */
static gboolean
transact (SdAutomation  *self,
          Work           work,
          gpointer       data,
          GError       **error)
{
  gint64 actor = sd_store_get_actor (self->store);
  /* Inside a batch (a savepoint), the notifications of the events before are kept. */
  guint announced = self->new_notifications->len;
  gboolean ok;

  if (!sd_store_begin (self->store, error))
    return FALSE;
  sd_store_set_actor (self->store, SD_ACTOR_SYSTEM);
  ok = work (self, data, error);
  sd_store_set_actor (self->store, actor);
  if (!ok)
    {
      sd_store_rollback (self->store);
      g_array_set_size (self->new_notifications, announced);
      return FALSE;
    }
  if (!sd_store_commit (self->store, error))
    {
      g_array_set_size (self->new_notifications, announced);
      return FALSE;
    }
  if (!sd_store_in_transaction (self->store))
    sd_automation_emit_notifications (self);
  return TRUE;
}

typedef struct
{
  const SdAutomationEvent *event;
  gint64                   move_to;   /* a person's move first: the stage, else 0 */
  gint64                   mover;
} EventWork;

static gboolean
handle_work (SdAutomation *self,
             gpointer      data,
             GError      **error)
{
  EventWork *work = data;
  g_autoptr(GQueue) queue = g_queue_new ();
  g_autofree char *cause = NULL;

  if (work->move_to != 0)
    {
      gboolean ok;

      /* The person moves the deal, with their access; the rules then run as the system. */
      sd_store_set_actor (self->store, work->mover);
      ok = sd_store_move_deal (self->store, work->event->deal_id, work->move_to, error);
      sd_store_set_actor (self->store, SD_ACTOR_SYSTEM);
      if (!ok)
        return FALSE;
    }
  cause = g_strdup_printf ("%s:%s", sd_event_kind_to_string (work->event->kind),
                           work->event->instance != NULL ? work->event->instance : "");
  return handle_one (self, work->event, NULL, queue, error)
         && drain (self, queue, cause, error);
}

gboolean
sd_automation_handle (SdAutomation            *self,
                      const SdAutomationEvent *event,
                      GError                 **error)
{
  EventWork work = { event, 0, 0 };

  g_return_val_if_fail (SD_IS_AUTOMATION (self), FALSE);
  return transact (self, handle_work, &work, error);
}

gboolean
sd_automation_report_converted (SdAutomation  *self,
                                gint64         deal_id,
                                const char    *lead_key,
                                const char    *lead_title,
                                gint64         actor_id,
                                GError       **error)
{
  g_autofree char *instance = NULL;
  SdAutomationEvent event = { SD_EVENT_CONVERTED, deal_id, actor_id, NULL, NULL, NULL, lead_title };

  g_return_val_if_fail (SD_IS_AUTOMATION (self), FALSE);
  g_return_val_if_fail (lead_key != NULL, FALSE);

  instance = g_strconcat ("lead:", lead_key, NULL);
  event.instance = instance;
  return sd_automation_handle (self, &event, error);
}

gboolean
sd_automation_check_enter (SdAutomation *self,
                           gint64        deal_id,
                           gint64        stage_id,
                           gint64        actor_id,
                           GError      **error)
{
  g_autoptr(GPtrArray) done = g_ptr_array_new ();
  SdAutomationEvent event = { SD_EVENT_ENTERED, deal_id, actor_id, NULL, NULL, NULL };
  g_auto(SdDealPlace) place = { NULL };
  g_auto(SdRun) run = { self, &event, NULL, &place, NULL, NULL, NULL, done, NULL };
  g_autofree char *refusal = NULL;
  g_autofree char *code = NULL;
  const SdPlaybookStage *target;

  if (!sd_automation_db_deal_place (self->store, deal_id, &place, error))
    return FALSE;
  run.pb = g_hash_table_lookup (self->playbooks, place.pipeline);
  if (run.pb == NULL)
    return TRUE;
  code = sd_automation_db_stage_code (self->store, stage_id);
  target = code != NULL ? sd_playbook_find_stage (run.pb, code) : NULL;
  if (target == NULL)
    return TRUE;
  refusal = sd_automation_refusal (&run, target);
  if (refusal == NULL)
    return TRUE;
  g_set_error_literal (error, SD_AUTOMATION_ERROR, SD_AUTOMATION_ERROR_GUARD, refusal);
  return FALSE;
}

gboolean
sd_automation_move_deal (SdAutomation *self,
                         gint64        deal_id,
                         gint64        stage_id,
                         GError      **error)
{
  gint64 actor = sd_store_get_actor (self->store);
  SdAutomationEvent entered = { SD_EVENT_ENTERED, deal_id, actor, NULL, NULL, NULL };
  EventWork work = { &entered, stage_id, actor };
  g_auto(SdDealPlace) place = { NULL };

  g_return_val_if_fail (SD_IS_AUTOMATION (self), FALSE);
  /* Who may not move the deal is told so first, not what the next stage would need. */
  if (!sd_automation_db_deal_place (self->store, deal_id, &place, error)
      || !sd_store_check_access (self->store, place.stage_id, SD_ACCESS_MOVE, error)
      || !sd_automation_check_enter (self, deal_id, stage_id, actor, error))
    return FALSE;
  return transact (self, handle_work, &work, error);
}

typedef struct
{
  SdAutomationTimer *timer;
  gboolean           fired;
} TimerRun;

#define RATING_SUFFIX "/$rating"

/* The start of the period after the one @when is in: a Monday or a first of a month. */
static gint64
next_period (gint64   when,
             gboolean weekly)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) next = NULL;

  if (weekly)
    {
      g_autoptr(GDateTime) day = g_date_time_new_utc (g_date_time_get_year (time),
                                                      g_date_time_get_month (time),
                                                      g_date_time_get_day_of_month (time), 0, 0, 0);
      start = g_date_time_add_days (day, 1 - g_date_time_get_day_of_week (day));
      next = g_date_time_add_weeks (start, 1);
    }
  else
    {
      start = g_date_time_new_utc (g_date_time_get_year (time), g_date_time_get_month (time),
                                   1, 0, 0, 0);
      next = g_date_time_add_months (start, 1);
    }
  return g_date_time_to_unix (next);
}

/* R-AUTO-11: the period that ended at the timer is rated; sellers at or over the plan
 * are thanked in the feed, each once a period. */
static gboolean
fire_rating (SdAutomation      *self,
             TimerRun          *tr,
             const SdPlaybook  *pb,
             GError           **error)
{
  const SdRatingRule *rule = pb->rating;
  g_autoptr(GDateTime) end = g_date_time_new_from_unix_utc (tr->timer->due_at);
  g_autoptr(GDateTime) start = rule->weekly ? g_date_time_add_weeks (end, -1)
                                            : g_date_time_add_months (end, -1);
  g_autofree char *label = g_date_time_format (start, rule->weekly ? "%G-W%V" : "%Y-%m");
  g_autoptr(GPtrArray) ratings = sd_rating_compute (self->store, rule->role,
                                                    g_date_time_to_unix (start),
                                                    tr->timer->due_at, error);

  if (ratings == NULL)
    return FALSE;
  for (guint i = 0; i < ratings->len; i++)
    {
      const SdSellerRating *r = ratings->pdata[i];
      g_autoptr(GHashTable) facts = NULL;   /* the run only borrows these */
      g_autofree char *key = NULL;
      g_autofree char *text = NULL;
      SdAutomationEvent event = { SD_EVENT_TIMER, 0, SD_ACTOR_SYSTEM, NULL, NULL, NULL };
      SdRun run = { self, &event, pb, NULL, NULL, NULL, NULL, NULL, NULL };
      int claimed;

      if (r->plan <= 0 || r->plan_completion * 100 < rule->at_least)
        continue;
      key = g_strdup_printf ("%s|%s|%" G_GINT64_FORMAT, tr->timer->rule, label, r->user_id);
      if ((claimed = sd_automation_db_claim_run (self->store, key, 0, tr->timer->rule, error)) < 0)
        return FALSE;
      if (claimed == 0)
        continue;
      facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (facts, g_strdup ("seller"), g_strdup (r->name));
      g_hash_table_insert (facts, g_strdup ("plan_percent"),
                           g_strdup_printf ("%d", (int) (r->plan_completion * 100)));
      g_hash_table_insert (facts, g_strdup ("won"), sd_money_format (r->won, pb->currency));
      g_hash_table_insert (facts, g_strdup ("period"), g_strdup (label));
      run.facts = facts;
      text = sd_automation_expand (&run, rule->thanks);
      /* The app's post to everyone (no author): the seller is named in the text. */
      if (!sd_automation_db_add_outbox (self->store, 0, "feed", 0, 0, NULL, NULL, text,
                                        NULL, tr->timer->rule, error))
        return FALSE;
    }
  /* The seed's promotion: those far enough over the plan are put to their group's vote. */
  for (guint i = 0; rule->promotion != NULL && i < ratings->len; i++)
    {
      const SdSellerRating *r = ratings->pdata[i];

      if (r->plan > 0 && r->plan_completion * 100 >= rule->promotion->at_least
          && !sd_automation_open_vote (self, pb, tr->timer->rule, r, label, tr->timer->due_at, error))
        return FALSE;
    }
  tr->fired = TRUE;
  return sd_automation_db_reschedule (self->store, tr->timer->id,
                                      next_period (tr->timer->due_at, rule->weekly),
                                      tr->timer->occurrence + 1, error);
}

/* Every playbook with a rating has its timer, due when the current period ends. */
static gboolean
schedule_ratings (SdAutomation  *self,
                  GError       **error)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->playbooks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const SdPlaybook *pb = value;
      g_autofree char *rule = NULL;
      SdAutomationTimer timer = { 0 };

      if (pb->rating == NULL)
        continue;
      rule = g_strconcat (pb->code, RATING_SUFFIX, NULL);
      timer.key = rule;
      timer.rule = rule;
      timer.due_at = next_period (sd_store_now (self->store), pb->rating->weekly);
      if (!sd_automation_db_add_timer (self->store, &timer, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
fire_timer (SdAutomation *self,
            gpointer      data,
            GError      **error)
{
  TimerRun *tr = data;
  SdAutomationTimer *timer = tr->timer;
  const SdRule *rule = g_hash_table_lookup (self->rules, timer->rule);
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GQueue) follow = g_queue_new ();
  g_autofree char *instance = g_strdup_printf ("%s#%" G_GINT64_FORMAT, timer->key,
                                               timer->occurrence);
  SdAutomationEvent event = { SD_EVENT_TIMER, timer->deal_id, SD_ACTOR_SYSTEM, NULL, NULL, NULL };
  g_auto(SdDealPlace) place = { NULL };
  g_auto(SdRun) run = { self, &event, NULL, &place, NULL, rule, instance, done, follow };
  int claimed;

  if (g_str_has_suffix (timer->rule, "/$vote"))
    return sd_automation_vote_timer (self, timer, error);
  if (g_str_has_suffix (timer->rule, RATING_SUFFIX))
    {
      g_autofree char *code = g_strndup (timer->rule, strlen (timer->rule) - strlen (RATING_SUFFIX));
      const SdPlaybook *pb = g_hash_table_lookup (self->playbooks, code);

      return pb != NULL && pb->rating != NULL ? fire_rating (self, tr, pb, error)
                                              : sd_automation_db_drop_timer (self->store, timer->id, error);
    }
  /* The robot waited for the deal in a stage: gone, or another stay, and it lapses. */
  if (rule == NULL
      || !sd_automation_db_deal_place (self->store, timer->deal_id, &place, NULL)
      || place.stage_id != timer->stage_id
      || g_strcmp0 (place.entered_at, timer->entered_at) != 0)
    return sd_automation_db_drop_timer (self->store, timer->id, error);

  run.pb = g_hash_table_lookup (self->playbooks, place.pipeline);
  if ((claimed = sd_automation_db_claim_run (self->store, instance, timer->deal_id, rule->id,
                                             error)) < 0)
    return FALSE;
  if (claimed == 1 && run.pb != NULL)
    {
      if (!run_actions (&run, error))
        return FALSE;
      tr->fired = TRUE;
    }
  if (!drain (self, follow, instance, error))
    return FALSE;
  if (timer->repeat_every > 0)
    {
      gint64 now = sd_store_now (self->store);
      gint64 due = timer->due_at + timer->repeat_every;

      /* Days offline make one reminder, not one a missed period. */
      if (due <= now)
        due += ((now - due) / timer->repeat_every + 1) * timer->repeat_every;
      return sd_automation_db_reschedule (self->store, timer->id, due, timer->occurrence + 1,
                                          error);
    }
  return sd_automation_db_drop_timer (self->store, timer->id, error);
}

/* Timers a transaction: each timer and its effects still commit or not together, and the
 * catch-up after days offline pays for a commit per batch, not per timer. */
#define TIMER_BATCH 256
/* A timer that failed waits this long before it is tried again. */
#define TIMER_RETRY 3600

gint
sd_automation_run_due (SdAutomation  *self,
                       GError       **error)
{
  gint fired = 0;
  guint in_batch = 0;

  g_return_val_if_fail (SD_IS_AUTOMATION (self), -1);
  if (!schedule_ratings (self, error) || !sd_store_begin (self->store, error))
    return -1;
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      TimerRun tr = { sd_automation_db_next_due (self->store, sd_store_now (self->store), &local),
                      FALSE };
      gboolean ok;

      if (tr.timer == NULL && local != NULL)
        {
          sd_store_rollback (self->store);
          g_propagate_error (error, g_steal_pointer (&local));
          return -1;
        }
      if (tr.timer == NULL || in_batch == TIMER_BATCH)
        {
          if (!sd_store_commit (self->store, error))
            {
              sd_automation_timer_free (tr.timer);
              return -1;
            }
          if (!sd_store_in_transaction (self->store))
            sd_automation_emit_notifications (self);
          if (tr.timer == NULL)
            return fired;
          if (!sd_store_begin (self->store, error))
            {
              sd_automation_timer_free (tr.timer);
              return -1;
            }
          in_batch = 0;
        }
      ok = transact (self, fire_timer, &tr, &local);
      if (!ok)
        {
          /* Only this timer's work is undone (its savepoint); it is reported and tried
           * again later, under the same key, so it still fires at most once. */
          sd_automation_report_failure (self, tr.timer->deal_id, local);
          g_clear_error (&local);
          if (!sd_automation_db_reschedule (self->store, tr.timer->id,
                                            sd_store_now (self->store) + TIMER_RETRY,
                                            tr.timer->occurrence, error))
            {
              sd_automation_timer_free (tr.timer);
              sd_store_rollback (self->store);
              return -1;
            }
        }
      sd_automation_timer_free (tr.timer);
      fired += tr.fired;
      in_batch++;
    }
}
