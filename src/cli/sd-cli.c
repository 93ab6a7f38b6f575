/* sd-cli.c: option parsing and errors for every subcommand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-cli.h"
#include "sd-demo.h"
#include "sd-records.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

char *sd_cli_db_path;

gboolean
sd_cli_parse (const char    *command,
              const char    *parameters,
              const char    *summary,
              GOptionEntry  *entries,
              int           *argc,
              char        ***argv)
{
  g_autofree char *db = NULL;
  GOptionEntry common[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db,
      N_("The database to use (default: the app’s own)"), N_("FILE") },
    { NULL }
  };
  g_autofree char *synopsis = g_strdup_printf ("%s %s", command, parameters);
  g_autoptr(GOptionContext) context = g_option_context_new (synopsis);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("sdelka-cli %s: %s\n", command, error->message);
      g_printerr (_("Run “sdelka-cli %s --help” to see what it takes.\n"), command);
      return FALSE;
    }
  if (db != NULL)
    {
      g_free (sd_cli_db_path);
      sd_cli_db_path = g_steal_pointer (&db);
    }
  return TRUE;
}

SdStore *
sd_cli_open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fallback = NULL;
  SdStore *store;

  if (sd_cli_db_path == NULL)
    sd_cli_db_path = fallback = sd_demo_default_path ();
  store = sd_demo_open_or_create (sd_cli_db_path, &error);
  if (store == NULL)
    g_printerr ("sdelka-cli: %s\n", error->message);
  if (sd_cli_db_path == fallback)
    sd_cli_db_path = NULL;
  return store;
}

int
sd_cli_fail (GError *error)
{
  g_printerr ("sdelka-cli: %s\n", error->message);
  g_error_free (error);
  return SD_CLI_FAILED;
}

int
sd_cli_usage (const char *format,
              ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("sdelka-cli: %s\n", message);
  return SD_CLI_USAGE;
}

gint64
sd_cli_find_user (SdStore    *store,
                  const char *name)
{
  gint64 id = sd_store_find_user (store, name);
  char *end = NULL;

  if (id == 0)
    {
      gint64 number = g_ascii_strtoll (name, &end, 10);
      g_autofree char *who = NULL;

      if (end != name && *end == '\0' && (who = sd_store_describe (store, SD_ENTITY_USER, number)))
        id = number;
    }
  if (id == 0)
    g_printerr (_("sdelka-cli: there is no user “%s” (see “sdelka-cli users”)\n"), name);
  return id;
}

char *
sd_cli_pad (const char *text,
            int         width)
{
  glong length = text != NULL ? g_utf8_strlen (text, -1) : 0;
  glong wanted = ABS (width);
  GString *padded = g_string_new (NULL);

  if (width > 0)
    for (glong i = length; i < wanted; i++)
      g_string_append_c (padded, ' ');
  if (text != NULL)
    g_string_append (padded, text);
  if (width < 0)
    for (glong i = length; i < wanted; i++)
      g_string_append_c (padded, ' ');
  return g_string_free (padded, FALSE);
}
