/* sd-cli-automation.c: sdelka-cli automation run | bell LOGIN
 *
 * "run" does what the app does when it starts or comes back online: it reads the journal
 * since the last run into events and fires the timers that came due meanwhile, with the
 * shipped playbooks' rules. "bell" lists a person's unread notifications.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-automation.h"
#include "sd-cli.h"

#include <glib/gi18n-lib.h>

static SdAutomation *
load_automation (SdStore  *store,
                 GError  **error)
{
  g_autoptr(SdAutomation) automation = sd_automation_new (store);
  g_autoptr(GPtrArray) paths = sd_playbook_default_paths ();

  for (guint i = 0; i < paths->len; i++)
    {
      SdPlaybook *pb = sd_playbook_load_file (paths->pdata[i], error);

      if (pb == NULL)
        return NULL;
      sd_automation_add_playbook (automation, pb);
    }
  return g_steal_pointer (&automation);
}

static int
run (SdStore    *store,
     const char *at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdAutomation) automation = NULL;
  gint events, fired;

  if (at != NULL)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (at, NULL);

      if (time == NULL)
        return sd_cli_usage (_("--at takes a date and time like 2026-01-31T09:00:00Z"));
      sd_store_set_time (store, g_date_time_to_unix (time));
    }
  if ((automation = load_automation (store, &error)) == NULL)
    return sd_cli_fail (g_steal_pointer (&error));
  if ((events = sd_automation_process_journal (automation, &error)) < 0
      || (fired = sd_automation_run_due (automation, &error)) < 0)
    return sd_cli_fail (g_steal_pointer (&error));
  g_print (_("Journal entries read: %d; timers fired: %d\n"), events, fired);
  return SD_CLI_OK;
}

static int
bell (SdStore    *store,
      const char *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unread = NULL;
  gint64 user = sd_cli_find_user (store, login);

  if (user == 0)
    return SD_CLI_FAILED;
  if ((unread = sd_notification_list_unread (store, user, &error)) == NULL)
    return sd_cli_fail (g_steal_pointer (&error));
  for (guint i = 0; i < unread->len; i++)
    {
      const SdNotification *n = unread->pdata[i];
      g_print ("%8" G_GINT64_FORMAT "  %s  %8" G_GINT64_FORMAT "  %s\n", n->id, n->created_at,
               n->deal_id, n->text);
    }
  return SD_CLI_OK;
}

int
sd_cli_automation (int argc, char **argv)
{
  g_autofree char *at = NULL;
  GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("Run as if it were this UTC time"), N_("TIME") },
    { NULL }
  };
  g_autoptr(SdStore) store = NULL;

  if (!sd_cli_parse ("automation", _("run | bell LOGIN"),
                     _("Run the automation rules on what happened since the last run and on "
                       "the timers due, or list a person’s unread notifications."),
                     entries, &argc, &argv))
    return SD_CLI_USAGE;
  if (!((argc == 2 && g_strcmp0 (argv[1], "run") == 0)
        || (argc == 3 && g_strcmp0 (argv[1], "bell") == 0)))
    return sd_cli_usage (_("usage: automation run | automation bell LOGIN"));
  if ((store = sd_cli_open_store ()) == NULL)
    return SD_CLI_FAILED;
  return argc == 2 ? run (store, at) : bell (store, argv[2]);
}
