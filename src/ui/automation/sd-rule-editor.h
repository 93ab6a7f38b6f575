/* sd-rule-editor.h: a dialog that edits one rule's parameters — name, on/off, delay and
 * repeat, threshold, recipients, channels, templates with a placeholder picker, stage —
 * checking the whole playbook as the person types; Save keeps it in the user's copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-playbook-copy.h"

G_BEGIN_DECLS

#define SD_TYPE_RULE_EDITOR (sd_rule_editor_get_type ())
G_DECLARE_FINAL_TYPE (SdRuleEditor, sd_rule_editor, SD, RULE_EDITOR, AdwWindow)

/* Edits @rule (copied), which is at @index of the stage's list, or new when @index is -1. */
GtkWidget  *sd_rule_editor_new        (SdPlaybookCopy *copy,
                                       guint           stage,
                                       SdRuleList      list,
                                       int             index,
                                       JsonNode       *rule);

/* What is wrong with the rule as typed, or NULL when Save may keep it. */
const char *sd_rule_editor_get_error  (SdRuleEditor   *self);
/* The sentence the rule reads as now (the last valid one). */
const char *sd_rule_editor_get_sentence (SdRuleEditor *self);
/* Saves as the Save button does; FALSE (and the editor stays) when the rule is not valid. */
gboolean    sd_rule_editor_save       (SdRuleEditor   *self);
/* Removes the rule being edited, as the Remove button does. */
gboolean    sd_rule_editor_remove     (SdRuleEditor   *self);

G_END_DECLS
