/* sd-cli-journal.c: sdelka-cli journal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"
#include "sd-records.h"

#include <glib/gi18n-lib.h>

void
sd_cli_print_journal_entry (gpointer data,
                            gpointer unused)
{
  SdJournalEntry *entry = data;
  g_autofree char *author = sd_cli_pad (entry->author_name != NULL ? entry->author_name
                                                                   : entry->origin, -20);

  g_print ("%8" G_GINT64_FORMAT "  %s  %-7s %-16s %8" G_GINT64_FORMAT "  %s %s\n", entry->id,
           entry->at, entry->op, entry->entity, entry->entity_id, author, entry->changes);
}

int
sd_cli_journal (int argc, char **argv)
{
  gint64 deal = 0, after = 0;
  int limit = 50;
  GOptionEntry entries[] = {
    { "deal", 'd', 0, G_OPTION_ARG_INT64, &deal, N_("Only the changes of deal ID"), N_("ID") },
    { "after", 'a', 0, G_OPTION_ARG_INT64, &after, N_("Only entries after entry ID"), N_("ID") },
    { "limit", 'l', 0, G_OPTION_ARG_INT, &limit, N_("Show at most N entries (default 50)"), "N" },
    { NULL }
  };
  g_autoptr(SdStore) store = NULL;
  g_autoptr(GPtrArray) entries_found = NULL;
  g_autoptr(GError) error = NULL;

  if (!sd_cli_parse ("journal", "", _("List the changes made through the store, oldest first."),
                     entries, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 1)
    return sd_cli_usage (_("journal takes no arguments"));
  if (limit < 1)
    return sd_cli_usage (_("--limit must be at least 1"));
  if ((store = sd_cli_open_store ()) == NULL)
    return SD_CLI_FAILED;
  entries_found = sd_store_list_journal (store, after, deal, limit, &error);
  if (entries_found == NULL)
    return sd_cli_fail (g_steal_pointer (&error));
  g_ptr_array_foreach (entries_found, sd_cli_print_journal_entry, NULL);
  return SD_CLI_OK;
}
