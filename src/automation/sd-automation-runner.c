/* sd-automation-runner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-automation"

#include "sd-automation-runner.h"

struct _SdAutomationRunner
{
  GObject       parent_instance;

  SdAutomation *automation;
  gulong        changed_id;
  gulong        failed_id;
  guint         idle_id;
  guint         tick_id;
};

enum {
  FAILED,
  CAUGHT_UP,
  N_SIGNALS
};

/* Journal entries a main-loop iteration: one transaction of about 50 ms at the engine's
 * speed, so a pull of thousands of changes does not freeze the window. */
#define STEP 2000

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdAutomationRunner, sd_automation_runner, G_TYPE_OBJECT)

static void
report (SdAutomationRunner *self,
        GError             *error)
{
  g_warning ("Automation: %s", error->message);
  g_signal_emit (self, signals[FAILED], 0, error->message);
}

static gboolean
process_journal (gpointer data)
{
  SdAutomationRunner *self = data;
  g_autoptr(GError) error = NULL;

  gint read = sd_automation_process_journal_max (self->automation, STEP, &error);

  if (read < 0)
    report (self, error);
  /* More may be waiting (at least the engine's own entries, which the cursor passes):
   * the next step after the main loop's other work. */
  if (read > 0)
    return G_SOURCE_CONTINUE;
  self->idle_id = 0;
  g_signal_emit (self, signals[CAUGHT_UP], 0);
  return G_SOURCE_REMOVE;
}

static void
on_run_failed (SdAutomation       *automation,
               gint64              deal_id,
               const char         *message,
               SdAutomationRunner *self)
{
  g_signal_emit (self, signals[FAILED], 0, message);
}

/* Many rows change in one commit: one reading of the journal after them all. The engine's
 * own writes come back here too, and find nothing new to act on. */
static void
on_store_changed (SdStore            *store,
                  guint               entity,
                  gint64              id,
                  guint               op,
                  SdAutomationRunner *self)
{
  if (self->idle_id == 0)
    self->idle_id = g_idle_add (process_journal, self);
}

static gboolean
tick (gpointer data)
{
  SdAutomationRunner *self = data;
  g_autoptr(GError) error = NULL;

  if (sd_automation_run_due (self->automation, &error) < 0)
    report (self, error);
  return G_SOURCE_CONTINUE;
}

static void
sd_automation_runner_dispose (GObject *object)
{
  SdAutomationRunner *self = SD_AUTOMATION_RUNNER (object);

  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->automation != NULL)
    {
      g_clear_signal_handler (&self->changed_id, sd_automation_get_store (self->automation));
      g_clear_signal_handler (&self->failed_id, self->automation);
    }
  g_clear_object (&self->automation);

  G_OBJECT_CLASS (sd_automation_runner_parent_class)->dispose (object);
}

static void
sd_automation_runner_class_init (SdAutomationRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sd_automation_runner_dispose;

  /**
   * SdAutomationRunner::failed:
   * @message: what went wrong, for people
   */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * SdAutomationRunner::caught-up:
   *
   * The journal has been read to its end (after a commit's entries were handled).
   */
  signals[CAUGHT_UP] = g_signal_new ("caught-up", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sd_automation_runner_init (SdAutomationRunner *self)
{
}

SdAutomationRunner *
sd_automation_runner_new (SdAutomation *automation,
                          guint         tick_seconds)
{
  SdAutomationRunner *self = g_object_new (SD_TYPE_AUTOMATION_RUNNER, NULL);
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SD_IS_AUTOMATION (automation), NULL);
  self->automation = g_object_ref (automation);
  if (!sd_automation_start_from_now (automation, &error))
    report (self, error);
  self->changed_id = g_signal_connect (sd_automation_get_store (automation), "changed",
                                       G_CALLBACK (on_store_changed), self);
  self->failed_id = g_signal_connect (automation, "run-failed", G_CALLBACK (on_run_failed), self);
  self->tick_id = g_timeout_add_seconds (tick_seconds, tick, self);
  /* Timers that fell due while the app was closed fire now, in order. */
  self->idle_id = g_idle_add (process_journal, self);
  tick (self);
  return self;
}
