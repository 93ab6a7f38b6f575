/* sd-automation-view.h: the Automation view — a pipeline's rules stage by stage, like a
 * robots board: guards, triggers and robots as sentences, switched on and off, added from
 * a catalogue and edited in SdRuleEditor. Changes go to the user's copy of the playbook
 * and, when an engine is set, into it at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-automation.h"
#include "sd-playbook-copy.h"

G_BEGIN_DECLS

#define SD_TYPE_AUTOMATION_VIEW (sd_automation_view_get_type ())
G_DECLARE_FINAL_TYPE (SdAutomationView, sd_automation_view, SD, AUTOMATION_VIEW, GtkWidget)

GtkWidget      *sd_automation_view_new            (void);

/* The engine that runs the rules; may be NULL (the rules are only edited). */
void            sd_automation_view_set_automation (SdAutomationView *self,
                                                   SdAutomation     *automation);

/* Reads the playbooks again: the shipped ones, or the user's copies of them. */
void            sd_automation_view_reload         (SdAutomationView *self);
/* Shows the rules of the pipeline with this playbook code; FALSE if there is none. The
 * window calls it with the board's pipeline; ::pipeline-selected tells of the other way. */
gboolean        sd_automation_view_show_pipeline  (SdAutomationView *self,
                                                   const char       *code);
/* The playbook shown; NULL when it could not be read. */
SdPlaybookCopy *sd_automation_view_get_copy       (SdAutomationView *self);
/* Opens the editor on a rule of the shown playbook, as activating its row does. */
GtkWindow      *sd_automation_view_edit_rule      (SdAutomationView *self,
                                                   guint             stage,
                                                   SdRuleList        list,
                                                   guint             index);
/* Opens the editor on a new rule from the catalogue, as the Add menu does. */
GtkWindow      *sd_automation_view_add_rule       (SdAutomationView *self,
                                                   guint             stage,
                                                   const char       *catalogue_id);

G_END_DECLS
