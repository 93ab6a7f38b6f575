/* sd-cli-stats.c: sdelka-cli stats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"
#include "sd-money.h"
#include "sd-records.h"

#include <glib/gi18n-lib.h>

int
sd_cli_stats (int argc, char **argv)
{
  g_autoptr(SdStore) store = NULL;
  g_autoptr(GPtrArray) pipelines = NULL;
  g_autoptr(GError) error = NULL;

  if (!sd_cli_parse ("stats", "", _("Count and sum the deals of each pipeline and stage."),
                     NULL, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 1)
    return sd_cli_usage (_("stats takes no arguments"));
  if ((store = sd_cli_open_store ()) == NULL)
    return SD_CLI_FAILED;
  if ((pipelines = sd_store_list_pipelines (store, &error)) == NULL)
    return sd_cli_fail (g_steal_pointer (&error));

  for (guint i = 0; i < pipelines->len; i++)
    {
      SdPipeline *pipeline = pipelines->pdata[i];
      g_autoptr(GPtrArray) stages = sd_store_list_stages (store, pipeline->id, &error);
      g_autoptr(GArray) totals = sd_store_stage_totals (store, pipeline->id, &error);
      gint64 count = 0, sum = 0;
      g_autofree char *sum_text = NULL;
      g_autofree char *total_name = NULL;
      g_autofree char *sum_column = NULL;

      if (stages == NULL || totals == NULL)
        return sd_cli_fail (g_steal_pointer (&error));
      g_print ("%s [%s]\n", pipeline->name, pipeline->code);
      for (guint k = 0; k < stages->len && k < totals->len; k++)
        {
          SdStage *stage = stages->pdata[k];
          SdStageTotal *total = &g_array_index (totals, SdStageTotal, k);
          g_autofree char *money = sd_money_format (total->sum, "RUB");
          g_autofree char *name = sd_cli_pad (stage->name, -40);
          g_autofree char *money_column = sd_cli_pad (money, 20);

          g_print ("  %s %8" G_GINT64_FORMAT "  %s\n", name, total->count, money_column);
          count += total->count;
          sum += total->sum;
        }
      sum_text = sd_money_format (sum, "RUB");
      total_name = sd_cli_pad (_("Total"), -40);
      sum_column = sd_cli_pad (sum_text, 20);
      g_print ("  %s %8" G_GINT64_FORMAT "  %s\n\n", total_name, count, sum_column);
    }
  return SD_CLI_OK;
}
