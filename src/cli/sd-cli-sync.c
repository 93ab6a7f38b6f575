/* sd-cli-sync.c: sdelka-cli connect, sync and disconnect.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"

#include "sd-b24-client.h"
#include "sd-b24-secret.h"
#include "sd-demo.h"
#include "sd-sync-engine.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

/* The database the credential belongs to: --db, else the app's own (not created here:
 * a sync fills an empty database, not the demo). */
static char *
database_path (void)
{
  return sd_cli_db_path != NULL ? g_strdup (sd_cli_db_path) : sd_demo_default_path ();
}

static int
explain (const GError *error)
{
  g_autofree char *text = sd_b24_error_explain (error);

  g_printerr ("%s\n", text);
  return SD_CLI_FAILED;
}

/* The calls a sync needs, one of each scope, as one request. */
static gboolean
check_connection (SdB24Client  *client,
                  char        **out_user,
                  GError      **error)
{
  g_autoptr(SdB24Batch) batch = sd_b24_batch_new ();
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) categories = json_object_new ();
  JsonNode *me;
  static const char *const checks[] = { "user", "crm", "department" };

  json_object_set_int_member (categories, "entityTypeId", 2);
  sd_b24_batch_add (batch, "user", "user.current", NULL);
  sd_b24_batch_add (batch, "crm", "crm.category.list", categories);
  sd_b24_batch_add (batch, "department", "department.get", NULL);
  if ((answer = sd_b24_client_batch (client, batch, SD_B24_CALL_READ, NULL, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    if (sd_b24_batch_get_result (answer, checks[i], NULL, error) == NULL)
      return FALSE;
  me = sd_b24_batch_get_result (answer, "user", NULL, NULL);
  if (JSON_NODE_HOLDS_OBJECT (me))
    {
      JsonObject *user = json_node_get_object (me);
      *out_user = g_strdup_printf ("%s %s",
                                   json_object_get_string_member_with_default (user, "NAME", ""),
                                   json_object_get_string_member_with_default (user, "LAST_NAME", ""));
    }
  return TRUE;
}

int
sd_cli_connect (int argc, char **argv)
{
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *database = NULL;
  g_autofree char *label = NULL;

  if (!sd_cli_parse ("connect", _("WEBHOOK_URL"),
                     _("Check a Bitrix24 inbound webhook with a real call and keep it in the keyring."),
                     NULL, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 2)
    return sd_cli_usage (_("connect takes the webhook address"));

  client = sd_b24_client_new_webhook (argv[1], &error);
  /* Someone is waiting for the answer: a failure is reported, not retried for long. */
  if (client != NULL)
    sd_b24_client_set_max_attempts (client, 2);
  if (client == NULL
      || !check_connection (client, &user, &error))
    return explain (error);

  database = database_path ();
  /* Translators: the keyring's name for the stored webhook; %s is the portal's address. */
  label = g_strdup_printf (_("Sdelka: Bitrix24 portal %s"), sd_b24_client_get_portal (client));
  if (!sd_b24_secret_store (database, label, argv[1], NULL, &error))
    {
      g_printerr (_("The webhook works, but the keyring did not keep it: %s\n"), error->message);
      return SD_CLI_FAILED;
    }
  /* Translators: %s is the portal's address, %s the name of the webhook's user. */
  g_print (_("Connected to %s as %s.\n"), sd_b24_client_get_portal (client),
           user != NULL ? user : "?");
  return SD_CLI_OK;
}

int
sd_cli_disconnect (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;

  if (!sd_cli_parse ("disconnect", "", _("Forget the portal: remove its webhook from the keyring."),
                     NULL, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 1)
    return sd_cli_usage (_("disconnect takes no arguments"));
  database = database_path ();
  if (!sd_b24_secret_clear (database, NULL, &error))
    return sd_cli_fail (g_steal_pointer (&error));
  g_print ("%s\n", _("Disconnected: the webhook is no longer kept."));
  return SD_CLI_OK;
}

typedef struct
{
  GMainLoop   *loop;
  gboolean     ok;
  SdSyncReport report;
  GError      *error;
  char        *last_line;
} SyncWait;

static void
on_progress (SdSyncEngine *engine,
             GParamSpec   *pspec,
             SyncWait     *wait)
{
  g_autofree char *status = sd_sync_engine_dup_status (engine);
  g_autofree char *line = NULL;
  double eta = sd_sync_engine_get_eta (engine);

  if (status == NULL)
    return;
  if (eta >= 0)
    /* Translators: a progress line: what, percent done, seconds left. */
    line = g_strdup_printf (_("%s — %.0f%%, about %.0f s left"), status,
                            100 * sd_sync_engine_get_fraction (engine), eta);
  else
    line = g_strdup (status);
  if (g_strcmp0 (line, wait->last_line) != 0)
    {
      g_print ("%s\n", line);
      g_free (wait->last_line);
      wait->last_line = g_steal_pointer (&line);
    }
}

static void
on_synced (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  SyncWait *wait = data;

  wait->ok = sd_sync_engine_sync_finish (SD_SYNC_ENGINE (source), result, &wait->report, &wait->error);
  g_main_loop_quit (wait->loop);
}

int
sd_cli_sync (int argc, char **argv)
{
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(SdSyncEngine) engine = NULL;
  g_autoptr(SdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;
  g_autofree char *secret = NULL;
  SyncWait wait = { NULL };

  if (!sd_cli_parse ("sync", "",
                     _("Exchange changes with the connected portal. Exits with 0 only when the "
                       "portal and the database agree."), NULL, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 1)
    return sd_cli_usage (_("sync takes no arguments"));

  database = database_path ();
  secret = sd_b24_secret_lookup (database, NULL, &error);
  if (secret == NULL)
    {
      if (error != NULL)
        g_printerr (_("Cannot read the keyring: %s\n"), error->message);
      else
        g_printerr ("%s\n", _("Not connected to Bitrix24: run “sdelka-cli connect WEBHOOK_URL” first."));
      return SD_CLI_FAILED;
    }
  /* Made (and migrated) here, so that the sync thread opens a ready database. */
  if ((store = sd_store_open (database, &error)) == NULL)
    return sd_cli_fail (g_steal_pointer (&error));
  if ((client = sd_b24_client_new_webhook (secret, &error)) == NULL)
    return explain (error);

  engine = sd_sync_engine_new (database, client);
  /* Exit status 0 promises agreement: always compare in full. */
  sd_sync_engine_set_check_interval (engine, 0);
  wait.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (engine, "notify::status", G_CALLBACK (on_progress), &wait);
  g_signal_connect (engine, "notify::fraction", G_CALLBACK (on_progress), &wait);
  sd_sync_engine_sync_async (engine, NULL, on_synced, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  g_free (wait.last_line);

  if (!wait.ok)
    {
      int status = explain (wait.error);
      g_error_free (wait.error);
      return status;
    }
  g_print (_("Received %u, sent %u, removed %u; %u requests.\n"), wait.report.pulled,
           wait.report.pushed, wait.report.deleted, wait.report.requests);
  if (wait.report.conflicts > 0)
    g_print (g_dngettext (NULL, "%u field was changed both here and on the portal: choose the value to keep.\n",
                          "%u fields were changed both here and on the portal: choose the values to keep.\n",
                          wait.report.conflicts), wait.report.conflicts);
  if (wait.report.waiting > 0)
    g_print (g_dngettext (NULL, "%u change is still waiting to be sent.\n",
                          "%u changes are still waiting to be sent.\n", wait.report.waiting),
             wait.report.waiting);
  if (!wait.report.agree)
    {
      g_printerr ("%s\n", _("The portal and the database do not agree yet."));
      return SD_CLI_FAILED;
    }
  g_print ("%s\n", _("The portal and the database agree."));
  return SD_CLI_OK;
}
