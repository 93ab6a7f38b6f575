/* sd-b24-secret.c: libsecret storage of the portal credential.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-b24"

#include "sd-b24-secret.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

static const SecretSchema portal_schema = {
  "org.sdelka.Sdelka.Portal", SECRET_SCHEMA_NONE,
  {
    { "database", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
};

/* One database, one entry, whichever directory the path was given from. */
static char *
database_key (const char *database)
{
  g_autoptr(GFile) file = g_file_new_for_path (database);

  return g_file_get_path (file);
}

gboolean
sd_b24_secret_store (const char    *database,
                     const char    *label,
                     const char    *secret,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *key = database_key (database);

  /* Removed first rather than replaced in place: gnome-keyring 42 loses its connection
   * replacing an item of a collection made in the same session. */
  if (!sd_b24_secret_clear (database, cancellable, error))
    return FALSE;
  return secret_password_store_sync (&portal_schema, SECRET_COLLECTION_DEFAULT, label, secret,
                                     cancellable, error, "database", key, NULL);
}

/* Searched for with its secret rather than looked up: libsecret 0.20 (Debian 12) never
 * frees the D-Bus reply of secret_password_lookup_sync() (fixed in 0.21.2, "secret-paths:
 * Make sure to unref GVariant"), 16 KiB lost on every read of the credential. */
char *
sd_b24_secret_lookup (const char    *database,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *key = database_key (database);
  g_autoptr(GHashTable) attributes = secret_attributes_build (&portal_schema, "database", key, NULL);
  GList *items;
  char *copy = NULL;

  items = secret_service_search_sync (NULL, &portal_schema, attributes,
                                      SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                      cancellable, error);
  if (items != NULL)
    {
      SecretValue *value = secret_item_get_secret (items->data);

      /* The caller's copy is ordinary memory; the keyring's is wiped as it goes. */
      if (value != NULL)
        copy = g_strdup (secret_value_get_text (value));
      g_clear_pointer (&value, secret_value_unref);
    }
  g_list_free_full (items, g_object_unref);
  return copy;
}

gboolean
sd_b24_secret_clear (const char    *database,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *key = database_key (database);
  g_autoptr(GError) local_error = NULL;

  secret_password_clear_sync (&portal_schema, cancellable, &local_error, "database", key, NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
sd_b24_secret_store_client (const char    *database,
                            SdB24Client   *client,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree char *credential = sd_b24_client_dup_credential (client);
  /* Translators: the keyring's name for the stored connection; %s is the portal's address. */
  g_autofree char *label = g_strdup_printf (_("Sdelka: Bitrix24 portal %s"),
                                            sd_b24_client_get_portal (client));

  return sd_b24_secret_store (database, label, credential, cancellable, error);
}

static void
tokens_changed_cb (SdB24Client *client,
                   const char  *access_token,
                   const char  *refresh_token,
                   const char  *database)
{
  g_autoptr(GError) error = NULL;

  /* The old refresh token no longer works: without the new pair in the keyring the next
   * start would have to ask the person to connect again. */
  if (!sd_b24_secret_store_client (database, client, NULL, &error))
    g_warning ("The renewed access to %s was not kept in the keyring: %s",
               sd_b24_client_get_portal (client), error->message);
}

SdB24Client *
sd_b24_secret_load_client (const char    *database,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *credential = sd_b24_secret_lookup (database, cancellable, error);
  SdB24Client *client;

  if (credential == NULL)
    return NULL;
  if ((client = sd_b24_client_new_from_credential (credential, error)) == NULL)
    return NULL;
  if (sd_b24_client_is_oauth (client))
    g_signal_connect_data (client, "tokens-changed", G_CALLBACK (tokens_changed_cb),
                           database_key (database), (GClosureNotify) (void (*) (void)) g_free, 0);
  return client;
}
