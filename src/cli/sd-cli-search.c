/* sd-cli-search.c: sdelka-cli search QUERY
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"
#include "sd-records.h"
#include "sd-search.h"

#include <glib/gi18n-lib.h>

int
sd_cli_search (int argc, char **argv)
{
  int limit = 20;
  GOptionEntry entries[] = {
    { "limit", 'l', 0, G_OPTION_ARG_INT, &limit, N_("Show at most N hits (default 20)"), "N" },
    { NULL }
  };
  g_autoptr(SdStore) store = NULL;
  g_autoptr(GArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *query = NULL;

  if (!sd_cli_parse ("search", _("QUERY…"),
                     _("Find deals, contacts and companies by name, phone, e-mail or INN."),
                     entries, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc < 2)
    return sd_cli_usage (_("search needs a QUERY"));
  if (limit < 1)
    return sd_cli_usage (_("--limit must be at least 1"));
  if ((store = sd_cli_open_store ()) == NULL)
    return SD_CLI_FAILED;

  query = g_strjoinv (" ", argv + 1);
  if ((hits = sd_store_search (store, query, limit, &error)) == NULL)
    return sd_cli_fail (g_steal_pointer (&error));
  for (guint i = 0; i < hits->len; i++)
    {
      SdSearchHit *hit = &g_array_index (hits, SdSearchHit, i);
      g_autofree char *label = sd_store_describe (store, hit->entity, hit->id);

      g_print ("%-8s %8" G_GINT64_FORMAT "  %s\n", sd_entity_info (hit->entity)->name, hit->id,
               label);
    }
  if (hits->len == 0)
    {
      g_printerr (_("Nothing found for “%s”\n"), query);
      return SD_CLI_FAILED;
    }
  return SD_CLI_OK;
}
