/* sd-automation-runner.h: keeps an engine running in a main loop — what the journal gains
 * is handled soon after each commit, timers are fired as they fall due.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-automation.h"

G_BEGIN_DECLS

#define SD_TYPE_AUTOMATION_RUNNER (sd_automation_runner_get_type ())
G_DECLARE_FINAL_TYPE (SdAutomationRunner, sd_automation_runner, SD, AUTOMATION_RUNNER, GObject)

/* Starts at once in the thread-default main context; the past of the journal is not
 * replayed (sd_automation_start_from_now). After each commit the journal's new entries go
 * to the engine in steps of up to 2 000, one transaction a step with a savepoint an event
 * (sd_automation_process_journal_max), the main loop running between steps; ::caught-up
 * when they are all read. Due timers fire every @tick_seconds, 256 to a transaction.
 * ::failed reports a run that failed (an event or timer rolled back alone, or a whole
 * step), with the engine's message; a failed step is tried again at the next change or
 * tick. */
SdAutomationRunner *sd_automation_runner_new (SdAutomation *automation,
                                              guint         tick_seconds);

G_END_DECLS
