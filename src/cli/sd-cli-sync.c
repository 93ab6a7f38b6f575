/* sd-cli-sync.c: sdelka-cli connect, sync and disconnect.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"

#include "sd-b24-authorization.h"
#include "sd-b24-check.h"
#include "sd-b24-client.h"
#include "sd-b24-secret.h"
#include "sd-demo.h"
#include "sd-sync-engine.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* How long the consent page may take: a person reads it and clicks. */
#define AUTHORIZATION_SECONDS 300

/* The database the credential belongs to: --db, else the app's own (not created here:
 * a sync fills an empty database, not the demo). */
static char *
database_path (void)
{
  return sd_cli_db_path != NULL ? g_strdup (sd_cli_db_path) : sd_demo_default_path ();
}

/* In an application's words (its code and key) or a webhook's. */
static int
explain (const GError *error,
         gboolean      application)
{
  g_autofree char *text = application ? sd_b24_authorization_explain (error)
                                      : sd_b24_error_explain (error);

  g_printerr ("%s\n", text);
  return SD_CLI_FAILED;
}

/* The application's key, read from standard input (never from the command line, where
 * other users of the machine and the shell's history would see it). */
static char *
read_client_secret (void)
{
  char line[512];
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char *read;

  if (tty)
    {
      g_printerr ("%s", _("Application key (client_secret): "));
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
    }
  read = fgets (line, sizeof line, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      g_printerr ("\n");
    }
  if (read == NULL)
    return NULL;
  return g_strstrip (g_strdup (line));
}

typedef struct
{
  GMainLoop   *loop;
  SdB24Client *client;
  GError      *error;
} AuthorizationWait;

static void
on_authorized (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  AuthorizationWait *wait = data;

  wait->client = sd_b24_authorization_wait_finish (SD_B24_AUTHORIZATION (source), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static gboolean
authorization_timeout (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/* An application's consent page in the browser, and the tokens it leads to. */
static SdB24Client *
authorize (const char  *portal,
           const char  *client_id,
           const char  *token_url,
           GError     **error)
{
  g_autofree char *client_secret = read_client_secret ();
  g_autoptr(SdB24Authorization) authorization = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AuthorizationWait wait = { NULL };
  guint timeout;

  if (client_secret == NULL || *client_secret == '\0')
    {
      g_set_error (error, SD_B24_ERROR, SD_B24_ERROR_AUTH,
                   _("No application key was given on standard input"));
      return NULL;
    }
  if ((authorization = sd_b24_authorization_new (portal, client_id, client_secret, token_url,
                                                 error)) == NULL)
    return NULL;
  g_print (_("Open this address in a browser signed in to the portal, and allow access:\n%s\n"),
           sd_b24_authorization_get_uri (authorization));
  fflush (stdout);
  /* Best effort: on a desktop the browser opens by itself. */
  if (g_getenv ("SDELKA_NO_BROWSER") == NULL)
    g_app_info_launch_default_for_uri (sd_b24_authorization_get_uri (authorization), NULL, NULL);

  wait.loop = g_main_loop_new (NULL, FALSE);
  timeout = g_timeout_add_seconds (AUTHORIZATION_SECONDS, authorization_timeout, cancellable);
  sd_b24_authorization_wait_async (authorization, cancellable, on_authorized, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);
  if (g_error_matches (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&wait.error);
      g_set_error (&wait.error, SD_B24_ERROR, SD_B24_ERROR_AUTH,
                   _("Nobody allowed access within five minutes"));
    }
  if (wait.client == NULL)
    g_propagate_error (error, wait.error);
  return wait.client;
}

int
sd_cli_connect (int argc, char **argv)
{
  g_autoptr(SdB24Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *user_id = NULL;
  gint64 portal_user = 0;
  g_autofree char *database = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *token_url = NULL;
  g_autoptr(SdStore) store = NULL;
  GOptionEntry entries[] = {
    { "app", 0, 0, G_OPTION_ARG_STRING, &client_id,
      N_("Connect as the portal's local application with this code (client_id), allowing it in "
         "the browser; the key (client_secret) is read from standard input"), N_("CLIENT_ID") },
    { "token-url", 0, 0, G_OPTION_ARG_STRING, &token_url,
      N_("The OAuth token server (default: Bitrix24's)"), N_("URL") },
    { NULL }
  };

  if (!sd_cli_parse ("connect", _("WEBHOOK_URL | --app CLIENT_ID PORTAL_URL"),
                     _("Check a Bitrix24 inbound webhook, or an application's access, with a real "
                       "call and keep it in the keyring."),
                     entries, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 2)
    return sd_cli_usage (_("connect takes the webhook address, or with --app the portal's address"));

  if (client_id != NULL)
    client = authorize (argv[1], client_id, token_url, &error);
  else
    client = sd_b24_client_new_webhook (argv[1], &error);
  /* Someone is waiting for the answer: a failure is reported, not retried for long. */
  if (client != NULL)
    sd_b24_client_set_max_attempts (client, 2);
  if (client == NULL
      || !sd_b24_client_check (client, &user, &portal_user, NULL, &error))
    return explain (error, client_id != NULL);

  database = database_path ();
  if (!sd_b24_secret_store_client (database, client, NULL, &error))
    {
      g_printerr (_("The connection works, but the keyring did not keep it: %s\n"), error->message);
      return SD_CLI_FAILED;
    }
  /* The app looks in the keyring only for a database that says it is connected. */
  store = sd_store_open (database, &error);
  user_id = g_strdup_printf ("%" G_GINT64_FORMAT, portal_user);
  if (store == NULL
      || !sd_store_set_meta (store, SD_B24_USER_META, user_id, &error)
      || !sd_store_set_meta (store, SD_B24_PORTAL_META, sd_b24_client_get_portal (client), &error))
    return sd_cli_fail (g_steal_pointer (&error));
  /* Translators: %s is the portal's address, %s the name of the portal user. */
  g_print (_("Connected to %s as %s.\n"), sd_b24_client_get_portal (client),
           user != NULL ? user : "?");
  return SD_CLI_OK;
}

int
sd_cli_disconnect (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;

  if (!sd_cli_parse ("disconnect", "", _("Forget the portal: remove its connection from the keyring."),
                     NULL, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 1)
    return sd_cli_usage (_("disconnect takes no arguments"));
  database = database_path ();
  if (!sd_b24_secret_clear (database, NULL, &error))
    return sd_cli_fail (g_steal_pointer (&error));
  if (g_file_test (database, G_FILE_TEST_EXISTS))
    {
      g_autoptr(SdStore) store = sd_store_open (database, &error);

      if (store == NULL || !sd_store_set_meta (store, SD_B24_PORTAL_META, "", &error))
        return sd_cli_fail (g_steal_pointer (&error));
    }
  g_print ("%s\n", _("Disconnected: the connection is no longer kept."));
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
  SyncWait wait = { NULL };

  if (!sd_cli_parse ("sync", "",
                     _("Exchange changes with the connected portal. Exits with 0 only when the "
                       "portal and the database agree."), NULL, &argc, &argv))
    return SD_CLI_USAGE;
  if (argc != 1)
    return sd_cli_usage (_("sync takes no arguments"));

  database = database_path ();
  client = sd_b24_secret_load_client (database, NULL, &error);
  if (client == NULL)
    {
      if (g_error_matches (error, SD_B24_ERROR, SD_B24_ERROR_BAD_URL))
        return explain (error, FALSE);
      if (error != NULL)
        g_printerr (_("Cannot read the keyring: %s\n"), error->message);
      else
        g_printerr ("%s\n", _("Not connected to Bitrix24: run “sdelka-cli connect WEBHOOK_URL” first."));
      return SD_CLI_FAILED;
    }
  /* Made (and migrated) here, so that the sync thread opens a ready database. */
  if ((store = sd_store_open (database, &error)) == NULL)
    return sd_cli_fail (g_steal_pointer (&error));

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
      int status = explain (wait.error, FALSE);
      g_error_free (wait.error);
      return status;
    }
  g_print (_("Received %u, sent %u, removed %u; %u requests.\n"), wait.report.pulled,
           wait.report.pushed, wait.report.deleted, wait.report.requests);
  if (wait.report.messages > 0)
    g_print (g_dngettext (NULL, "%u automation message was handed to the portal.\n",
                          "%u automation messages were handed to the portal.\n", wait.report.messages),
             wait.report.messages);
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
