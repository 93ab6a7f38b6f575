/* test-util.c: run b24-emulator as a subprocess and talk to it over loopback HTTP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-util.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

/* Seconds a request may take. Under ASan a dump of 10 000 deals alone takes 7-15 s, and
 * several times that on a CI machine whose cores run other suites beside it. */
#ifdef __SANITIZE_ADDRESS__
#define TEST_HTTP_TIMEOUT 150
#else
#define TEST_HTTP_TIMEOUT 30
#endif

/* A test that aborts must not leave the emulator holding the test's output open. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

B24Test *
b24_test_start (const char *first_arg,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *exe = g_test_build_filename (G_TEST_BUILT, "b24-emulator", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;
  B24Test *test = g_new0 (B24Test, 1);
  va_list args;

  g_ptr_array_add (argv, exe);
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  g_ptr_array_add (argv, "--webhook");
  g_ptr_array_add (argv, "1:secret");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* The portal is not on this machine in real life, yet here it shares the cores with the
   * client: GLib 2.74's slice allocator costs it a third of its time on the bursts of
   * nodes a 2 500-row answer builds and frees (GLib 2.76 and later always use malloc). */
  g_subprocess_launcher_setenv (launcher, "G_SLICE", "always-malloc", FALSE);
  test->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (test->process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  test->base = g_strdup (line + strlen ("listening on "));
  test->hook = g_strconcat (test->base, "/rest/1/secret/", NULL);
  test->session = soup_session_new_with_options ("timeout", TEST_HTTP_TIMEOUT, "max-conns", 64, "max-conns-per-host", 64,
                                                 NULL);
  return test;
}

void
b24_test_stop (B24Test *test)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (test->process, SIGTERM);
  g_subprocess_wait (test->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (test->process));
  g_assert_cmpint (g_subprocess_get_exit_status (test->process), ==, 0);
  g_object_unref (test->process);
  g_object_unref (test->session);
  g_free (test->base);
  g_free (test->hook);
  g_free (test);
}

JsonNode *
b24_test_http (B24Test    *test,
               const char *http_method,
               const char *url,
               const char *content_type,
               const char *body,
               guint      *status)
{
  g_autoptr(SoupMessage) msg = soup_message_new (http_method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  gsize size;
  const char *data;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  reply = soup_session_send_and_read (test->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (status != NULL)
    *status = soup_message_get_status (msg);
  data = g_bytes_get_data (reply, &size);
  parser = json_parser_new ();
  if (size == 0 || !json_parser_load_from_data (parser, data, size, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

JsonNode *
b24_test_rest (B24Test    *test,
               const char *method,
               const char *json,
               guint      *status)
{
  g_autofree char *url = g_strconcat (test->hook, method, NULL);

  return b24_test_http (test, "POST", url, "application/json", json != NULL ? json : "{}", status);
}

JsonNode *
b24_test_control (B24Test    *test,
                  const char *action,
                  const char *json)
{
  g_autofree char *url = g_strconcat (test->base, "/_emulator/", action, NULL);
  guint status;
  JsonNode *node = b24_test_http (test, "POST", url, "application/json", json != NULL ? json : "{}", &status);

  g_assert_cmpuint (status, ==, 200);
  return node;
}

JsonNode *
b24_test_example (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "examples", name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* "a.b.0.c" through objects and arrays. */
static JsonNode *
lookup (JsonNode   *node,
        const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i] != NULL && node != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), parts[i]);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint index = g_ascii_strtoull (parts[i], NULL, 10);

          node = index < json_array_get_length (array) ? json_array_get_element (array, index) : NULL;
        }
      else
        node = NULL;
    }
  if (node == NULL)
    g_error ("no %s in the response", path);
  return node;
}

JsonObject *
b24_test_object (JsonNode   *node,
                 const char *path)
{
  JsonNode *found = lookup (node, path);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (found));
  return json_node_get_object (found);
}

JsonArray *
b24_test_array (JsonNode   *node,
                const char *path)
{
  JsonNode *found = lookup (node, path);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (found));
  return json_node_get_array (found);
}

const char *
b24_test_string (JsonNode   *node,
                 const char *path)
{
  JsonNode *found = lookup (node, path);

  g_assert_cmpint (json_node_get_value_type (found), ==, G_TYPE_STRING);
  return json_node_get_string (found);
}

gint64
b24_test_int (JsonNode   *node,
              const char *path)
{
  JsonNode *found = lookup (node, path);

  g_assert_cmpint (json_node_get_value_type (found), ==, G_TYPE_INT64);
  return json_node_get_int (found);
}

static const char *
kind (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return "object";
    case JSON_NODE_ARRAY:
      return "array";
    case JSON_NODE_NULL:
      return "null";
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "string";
    case G_TYPE_BOOLEAN:
      return "boolean";
    case G_TYPE_INT64:
      return "integer";
    default:
      return "double";
    }
}

static gboolean
matches (const char *pattern,
         const char *text)
{
  return g_regex_match_simple (pattern, text, 0, 0);
}

void
b24_test_assert_shape (JsonNode   *expected,
                       JsonNode   *actual,
                       const char *where)
{
  const char *want = kind (expected);
  const char *got = kind (actual);
  gboolean in_time = strstr (where, "time.") != NULL;

  /* The time floats may happen to be whole numbers; everything else must match exactly. */
  if (in_time && (strcmp (want, "integer") == 0 || strcmp (want, "double") == 0)
      && (strcmp (got, "integer") == 0 || strcmp (got, "double") == 0))
    return;
  if (strcmp (want, got) != 0)
    g_error ("%s: expected %s, got %s", where, want, got);
  if (strcmp (want, "string") == 0)
    {
      const char *e = json_node_get_string (expected);
      const char *a = json_node_get_string (actual);
      const char *const patterns[] = {
        "^[0-9]+$", "^[0-9]+\\.[0-9]{2}$", "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d:\\d\\d$", "^[YN]$",
      };

      for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
        if (matches (patterns[i], e) && !matches (patterns[i], a))
          g_error ("%s: \"%s\" has the form of \"%s\" (%s) but got \"%s\"", where, e, patterns[i], e, a);
    }
  else if (strcmp (want, "object") == 0)
    {
      JsonObject *eo = json_node_get_object (expected);
      JsonObject *ao = json_node_get_object (actual);
      GList *members = json_object_get_members (eo);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *sub = g_strconcat (where, ".", l->data, NULL);

          if (!json_object_has_member (ao, l->data))
            g_error ("%s: missing", sub);
          b24_test_assert_shape (json_object_get_member (eo, l->data), json_object_get_member (ao, l->data), sub);
        }
      g_list_free (members);
    }
  else if (strcmp (want, "array") == 0)
    {
      JsonArray *ea = json_node_get_array (expected);
      JsonArray *aa = json_node_get_array (actual);

      if (json_array_get_length (ea) > 0)
        {
          g_autofree char *sub = g_strconcat (where, ".0", NULL);

          g_assert_cmpuint (json_array_get_length (aa), >, 0);
          b24_test_assert_shape (json_array_get_element (ea, 0), json_array_get_element (aa, 0), sub);
        }
    }
}
