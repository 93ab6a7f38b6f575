/* sd-b24-secret.c: libsecret storage of the portal credential.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-b24-secret.h"

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

char *
sd_b24_secret_lookup (const char    *database,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *key = database_key (database);
  char *password = secret_password_lookup_sync (&portal_schema, cancellable, error,
                                                "database", key, NULL);
  char *copy;

  if (password == NULL)
    return NULL;
  /* The caller's copy is ordinary memory; the keyring's is wiped as it goes. */
  copy = g_strdup (password);
  secret_password_free (password);
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
