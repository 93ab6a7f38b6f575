/* sd-rule-catalogue.c: the rules a person can add to a stage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-rule-catalogue"

#include "config.h"

#include "sd-rule-catalogue.h"

#include <glib/gi18n.h>

static const SdRuleCatalogueEntry entries[] = {
  { "require_photo", SD_RULE_LIST_GUARDS, N_("Require photos") },
  { "require_amount", SD_RULE_LIST_GUARDS, N_("Require the amount") },
  { "on_amount_set", SD_RULE_LIST_TRIGGERS, N_("Move here when the amount is set") },
  { "on_photo", SD_RULE_LIST_TRIGGERS, N_("Move here when a photo is attached") },
  { "on_payment", SD_RULE_LIST_TRIGGERS, N_("Move here when a payment is made") },
  { "on_form", SD_RULE_LIST_TRIGGERS, N_("Move here when a form is received") },
  { "on_approval", SD_RULE_LIST_TRIGGERS, N_("Move here when the deal is approved") },
  { "notify", SD_RULE_LIST_ROBOTS, N_("Notify staff") },
  { "remind", SD_RULE_LIST_ROBOTS, N_("Remind every few days") },
  { "large_amount", SD_RULE_LIST_ROBOTS, N_("Notify the head above an amount") },
  { "message_client", SD_RULE_LIST_ROBOTS, N_("Message the client") },
  { "task", SD_RULE_LIST_ROBOTS, N_("Create a task") },
  { "follow_up", SD_RULE_LIST_ROBOTS, N_("Call again later") },
  { "move_on", SD_RULE_LIST_ROBOTS, N_("Move to the next stage") },
  { "document", SD_RULE_LIST_ROBOTS, N_("Make an invoice") },
  { "feed", SD_RULE_LIST_ROBOTS, N_("Post in the company feed") },
};

/* The rules as JSON, texts left out: they are set in the person's language below. */
static const char *const shapes[] = {
  "{\"when\": {\"files\": \"photo\", \"at_least\": 1}}",
  "{\"when\": {\"field\": \"amount\", \"op\": \"set\"}}",
  "{\"on\": \"field_changed\", \"field\": \"amount\", \"when\": {\"field\": \"amount\", \"op\": \"set\"}}",
  "{\"on\": \"file_attached\", \"file_kind\": \"photo\"}",
  "{\"on\": \"payment_added\"}",
  "{\"on\": \"form_received\"}",
  "{\"on\": \"approval_given\"}",
  "{\"actions\": [{\"do\": \"notify\", \"to\": [\"responsible\"], \"channels\": [\"app\"]}]}",
  "{\"repeat\": \"2d\", \"actions\": [{\"do\": \"notify\", \"to\": [\"responsible\"], \"channels\": [\"app\"]}]}",
  "{\"when\": {\"field\": \"amount\", \"op\": \">=\", \"value\": 1000000},"
  " \"actions\": [{\"do\": \"notify\", \"to\": [\"head\"], \"channels\": [\"app\"]}]}",
  "{\"delay\": \"1d\", \"actions\": [{\"do\": \"message_client\", \"channels\": [\"email\"]}]}",
  "{\"actions\": [{\"do\": \"create_task\", \"to\": [\"responsible\"], \"deadline\": \"1d\"}]}",
  "{\"actions\": [{\"do\": \"follow_up\", \"after\": \"2w\", \"to\": [\"responsible\"]}]}",
  "{\"actions\": [{\"do\": \"move\"}]}",
  "{\"actions\": [{\"do\": \"create_document\", \"document\": \"invoice\"}]}",
  "{\"actions\": [{\"do\": \"post_feed\"}]}",
};

G_STATIC_ASSERT (G_N_ELEMENTS (entries) == G_N_ELEMENTS (shapes));

guint
sd_rule_catalogue_get_n (void)
{
  return G_N_ELEMENTS (entries);
}

const SdRuleCatalogueEntry *
sd_rule_catalogue_get (guint index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (entries), NULL);
  return &entries[index];
}

const SdRuleCatalogueEntry *
sd_rule_catalogue_find (const char *id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
    if (g_strcmp0 (entries[i].id, id) == 0)
      return &entries[i];
  return NULL;
}

/* The stage after @stage in board order that is still in progress, else @stage's own. */
static const char *
next_stage (const SdPlaybook *pb,
            guint             stage)
{
  for (guint i = stage + 1; i < sd_playbook_get_n_stages (pb); i++)
    if (g_strcmp0 (sd_playbook_get_stage (pb, i)->semantics, "process") == 0)
      return sd_playbook_get_stage (pb, i)->code;
  return sd_playbook_get_stage (pb, stage)->code;
}

JsonNode *
sd_rule_catalogue_make (const SdRuleCatalogueEntry *entry,
                        SdPlaybookCopy             *copy,
                        guint                       stage)
{
  const SdPlaybook *pb = sd_playbook_copy_get_playbook (copy);
  guint index = (guint) (entry - entries);
  g_autofree char *code = sd_playbook_copy_new_code (copy, stage, entry->id);
  JsonNode *node;
  JsonObject *rule;
  JsonObject *action = NULL;
  const char *kind = NULL;

  g_return_val_if_fail (index < G_N_ELEMENTS (entries), NULL);
  g_return_val_if_fail (stage < sd_playbook_get_n_stages (pb), NULL);

  node = json_from_string (shapes[index], NULL);
  rule = json_node_get_object (node);
  json_object_set_string_member (rule, "code", code);
  json_object_set_string_member (rule, "name", _(entry->label));
  if (json_object_has_member (rule, "actions"))
    {
      action = json_array_get_object_element (json_object_get_array_member (rule, "actions"), 0);
      kind = json_object_get_string_member (action, "do");
    }

  if (entry->list == SD_RULE_LIST_GUARDS)
    json_object_set_string_member (rule, "message",
                                   index == 0 ? _("Attach at least one photo")
                                              : _("Set the amount"));
  else if (g_strcmp0 (kind, "notify") == 0)
    json_object_set_string_member (action, "text",
                                   g_str_equal (entry->id, "large_amount")
                                   ? _("“{deal}” is worth {amount}: take a look")
                                   : _("“{deal}” needs you: {stage_name}"));
  else if (g_strcmp0 (kind, "message_client") == 0)
    {
      json_object_set_string_member (action, "subject", _("About your order"));
      json_object_set_string_member (action, "text",
                                     _("{contact}, we are working on your order “{deal}”."));
    }
  else if (g_strcmp0 (kind, "create_task") == 0)
    json_object_set_string_member (action, "title", _("Call {contact} about “{deal}”"));
  else if (g_strcmp0 (kind, "follow_up") == 0)
    json_object_set_string_member (action, "title", _("Call {contact} again"));
  else if (g_strcmp0 (kind, "move") == 0)
    json_object_set_string_member (action, "stage", next_stage (pb, stage));
  else if (g_strcmp0 (kind, "post_feed") == 0)
    json_object_set_string_member (action, "text", _("“{deal}” reached {stage_name}"));
  return node;
}
