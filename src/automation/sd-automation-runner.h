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
 * replayed (sd_automation_start_from_now). ::failed reports a run that failed, with the
 * engine's message; the next change or tick tries again. */
SdAutomationRunner *sd_automation_runner_new (SdAutomation *automation,
                                              guint         tick_seconds);

G_END_DECLS
