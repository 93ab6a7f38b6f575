/* sd-cli-deal.c: sdelka-cli deal show ID | deal move ID STAGE --as USER
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"
#include "sd-money.h"
#include "sd-records.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

static gboolean
parse_id (const char *text,
          gint64     *out_id)
{
  char *end = NULL;

  *out_id = g_ascii_strtoll (text, &end, 10);
  return end != text && *end == '\0' && *out_id > 0;
}

static void
print_field (const char *label,
             const char *value)
{
  if (value != NULL && *value != '\0')
    {
      g_autofree char *padded = sd_cli_pad (label, -24);
      g_print ("  %s %s\n", padded, value);
    }
}

static int
show (SdStore *store,
      gint64   id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdDeal) deal = sd_store_get_deal (store, id, &error);
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *pipeline = NULL, *amount = NULL, *paid = NULL, *left = NULL, *planned = NULL;

  if (deal == NULL)
    return sd_cli_fail (g_steal_pointer (&error));
  pipeline = sd_store_describe (store, SD_ENTITY_PIPELINE, deal->pipeline_id);
  amount = sd_money_format (deal->amount, deal->currency);
  paid = sd_money_format (deal->paid, deal->currency);
  left = sd_money_format (sd_deal_get_left_to_pay (deal), deal->currency);
  planned = sd_money_format (deal->planned, deal->currency);

  g_print ("%s #%" G_GINT64_FORMAT "\n", deal->title, deal->id);
  print_field (_("Pipeline:"), pipeline);
  print_field (_("Stage:"), deal->stage_name);
  print_field (_("Amount:"), amount);
  print_field (_("Paid:"), paid);
  print_field (_("Left to pay:"), left);
  print_field (_("Planned payments:"), planned);
  print_field (_("Contact:"), deal->contact_name);
  print_field (_("Company:"), deal->company_title);
  print_field (_("Measurement:"), deal->measurement_at);
  print_field (_("Measurement address:"), deal->measurement_address);
  print_field (_("Next contact:"), deal->next_contact_on);
  print_field (_("Created:"), deal->created_at);
  print_field (_("Changed:"), deal->updated_at);

  history = sd_store_list_journal (store, 0, id, 1000, &error);
  if (history == NULL)
    return sd_cli_fail (g_steal_pointer (&error));
  g_print ("%s\n", _("Journal:"));
  g_ptr_array_foreach (history, sd_cli_print_journal_entry, NULL);
  return SD_CLI_OK;
}

static gint64
find_stage (SdStore    *store,
            gint64      deal_id,
            const char *name)
{
  g_autoptr(SdDeal) deal = sd_store_get_deal (store, deal_id, NULL);
  g_autoptr(GPtrArray) stages = NULL;

  if (deal == NULL)
    return 0;
  stages = sd_store_list_stages (store, deal->pipeline_id, NULL);
  for (guint i = 0; stages != NULL && i < stages->len; i++)
    {
      SdStage *stage = stages->pdata[i];
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, stage->id);

      if (g_str_equal (stage->code, name) || g_str_equal (stage->name, name)
          || g_str_equal (number, name))
        return stage->id;
    }
  g_printerr (_("sdelka-cli: the pipeline of deal %" PRId64 " has no stage “%s”; it has:"),
              deal_id, name);
  for (guint i = 0; stages != NULL && i < stages->len; i++)
    g_printerr (" %s", ((SdStage *) stages->pdata[i])->code);
  g_printerr ("\n");
  return 0;
}

int
sd_cli_deal (int argc, char **argv)
{
  g_autofree char *as = NULL;
  GOptionEntry entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, N_("Act as USER (login or number)"), N_("USER") },
    { NULL }
  };
  g_autoptr(SdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stage_name = NULL;
  gint64 id, stage, user;

  if (!sd_cli_parse ("deal", _("show ID | move ID STAGE --as USER"),
                     _("Show a deal with its journal, or move it to another stage as a user "
                       "would; the user’s access rules apply."), entries, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc == 3 && g_str_equal (argv[1], "show"))
    {
      if (!parse_id (argv[2], &id))
        return sd_cli_usage (_("a deal is named by its number, not “%s”"), argv[2]);
      if ((store = sd_cli_open_store ()) == NULL)
        return SD_CLI_FAILED;
      return show (store, id);
    }
  if (argc != 4 || !g_str_equal (argv[1], "move"))
    return sd_cli_usage (_("usage: deal show ID | deal move ID STAGE --as USER"));
  if (!parse_id (argv[2], &id))
    return sd_cli_usage (_("a deal is named by its number, not “%s”"), argv[2]);
  if (as == NULL)
    return sd_cli_usage (_("deal move needs --as USER: moves are made by someone"));
  if ((store = sd_cli_open_store ()) == NULL)
    return SD_CLI_FAILED;
  if ((user = sd_cli_find_user (store, as)) == 0 || (stage = find_stage (store, id, argv[3])) == 0)
    return SD_CLI_FAILED;

  sd_store_set_actor (store, user);
  if (!sd_store_move_deal (store, id, stage, &error))
    return sd_cli_fail (g_steal_pointer (&error));
  stage_name = sd_store_describe (store, SD_ENTITY_STAGE, stage);
  g_print (_("Deal %" PRId64 " moved to “%s”\n"), id, stage_name);
  return SD_CLI_OK;
}
