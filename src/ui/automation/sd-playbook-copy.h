/* sd-playbook-copy.h: the user's own copy of a shipped playbook, which the rules editor
 * changes.
 *
 * The copy lives in g_get_user_data_dir()/sdelka/playbooks/ under the shipped file's name
 * and replaces it. It is kept as the JSON document it was read from, so what the editor
 * does not touch (comments, texts in other languages) stays as written. Every change is
 * checked against the whole playbook before it is kept: a copy is never half-valid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sd-playbook.h"

G_BEGIN_DECLS

/* The lists of rules a stage has, as its JSON members name them. */
typedef enum
{
  SD_RULE_LIST_GUARDS,
  SD_RULE_LIST_TRIGGERS,
  SD_RULE_LIST_ROBOTS,
} SdRuleList;

const char *sd_rule_list_to_member (SdRuleList list);

/* A copy of @node that shares nothing with it: json_node_copy () shares the objects and
 * arrays inside, so an edit of the copy would change the original. */
JsonNode   *sd_json_deep_copy      (JsonNode  *node);

#define SD_TYPE_PLAYBOOK_COPY (sd_playbook_copy_get_type ())
G_DECLARE_FINAL_TYPE (SdPlaybookCopy, sd_playbook_copy, SD, PLAYBOOK_COPY, GObject)

/* g_get_user_data_dir()/sdelka/playbooks */
char           *sd_playbook_copy_user_dir        (void);
/* The shipped playbooks (sd_playbook_default_paths ()), each replaced by the user's copy
 * when there is one: what the engine should load. */
GPtrArray      *sd_playbook_copy_effective_paths (void);

/* Reads the user's copy of @default_path if there is one, else @default_path. A broken
 * file is refused whole: the error names the file, the JSON path and the reason. */
SdPlaybookCopy *sd_playbook_copy_new             (const char      *default_path,
                                                  GError         **error);

const char     *sd_playbook_copy_get_default_path (SdPlaybookCopy *self);
/* Where the user's copy is (or would be) written. */
const char     *sd_playbook_copy_get_user_path   (SdPlaybookCopy  *self);
gboolean        sd_playbook_copy_is_customized   (SdPlaybookCopy  *self);
/* The playbook as it is now; owned by @self, replaced on each change. */
const SdPlaybook *sd_playbook_copy_get_playbook  (SdPlaybookCopy  *self);
/* A new parse of the document as it is now (transfer full), e.g. for
 * sd_automation_add_playbook (), which takes it. */
SdPlaybook     *sd_playbook_copy_load            (SdPlaybookCopy  *self,
                                                  GError         **error);

/* The rule as written (transfer full, a deep copy), or NULL. */
JsonNode       *sd_playbook_copy_dup_rule        (SdPlaybookCopy  *self,
                                                  guint            stage,
                                                  SdRuleList       list,
                                                  guint            index);

/* The playbook as it would be with @rule (an object) at @index of the stage's list (-1:
 * added at the end), or NULL with the checker's error (file, JSON path, reason); nothing
 * changes. */
SdPlaybook     *sd_playbook_copy_try_rule        (SdPlaybookCopy  *self,
                                                  guint            stage,
                                                  SdRuleList       list,
                                                  int              index,
                                                  JsonNode        *rule,
                                                  GError         **error);
/* As try_rule, then keeps the change and writes the user's copy. Emits ::changed. */
gboolean        sd_playbook_copy_set_rule        (SdPlaybookCopy  *self,
                                                  guint            stage,
                                                  SdRuleList       list,
                                                  int              index,
                                                  JsonNode        *rule,
                                                  GError         **error);
gboolean        sd_playbook_copy_remove_rule     (SdPlaybookCopy  *self,
                                                  guint            stage,
                                                  SdRuleList       list,
                                                  guint            index,
                                                  GError         **error);
gboolean        sd_playbook_copy_set_enabled     (SdPlaybookCopy  *self,
                                                  guint            stage,
                                                  SdRuleList       list,
                                                  guint            index,
                                                  gboolean         enabled,
                                                  GError         **error);
/* A code not yet used in the stage, from @base ("notify", "notify_2", …). */
char           *sd_playbook_copy_new_code        (SdPlaybookCopy  *self,
                                                  guint            stage,
                                                  const char      *base);

/* Deletes the user's copy and reads the shipped file again. Emits ::changed. */
gboolean        sd_playbook_copy_restore_default (SdPlaybookCopy  *self,
                                                  GError         **error);

G_END_DECLS
