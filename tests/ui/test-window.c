/* test-window.c: the application starts, its window shows the sections, every control in
 * it has a name for assistive technologies, and the window keeps its size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sd-application.h"
#include "window/sd-window.h"

typedef void (*WindowCheck) (SdApplication *app,
                             SdWindow      *window);

typedef struct
{
  WindowCheck check;
  guint       frames;
  gboolean    ran;
} RunData;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  RunData *data = user_data;
  SdApplication *app;

  if (!gtk_widget_get_mapped (widget) || ++data->frames < 3)
    return G_SOURCE_CONTINUE;

  app = SD_APPLICATION (gtk_window_get_application (GTK_WINDOW (widget)));
  data->check (app, SD_WINDOW (widget));
  data->ran = TRUE;
  gtk_window_close (GTK_WINDOW (widget));
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *application,
             RunData      *data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  g_assert_true (SD_IS_WINDOW (window));
  gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, data, NULL);
}

/* Runs the application until @check has looked at its mapped window. */
static void
run_with_window (WindowCheck check)
{
  g_autoptr(SdApplication) app = sd_application_new ();
  RunData data = { check, 0, FALSE };
  int status;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &data);
  status = g_application_run (G_APPLICATION (app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (data.ran);
}

/* The text a widget shows: its labels' text, depth first. */
static void
collect_text (GtkWidget *widget,
              GString   *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    g_string_append (text, gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, text);
}

static void
check_sections (SdApplication *app,
                SdWindow      *window)
{
  static const char *sections[] = { "pipelines", "payments", "reports", "notifications" };
  static const char *titles[] = { N_("Pipelines"), N_("Payments"), N_("Reports"),
                                  N_("Notifications") };
  GtkWidget *sidebar = NULL;
  GtkWidget *row;
  guint i = 0;

  g_assert_cmpstr (sd_window_get_section (window), ==, "pipelines");

  /* The sidebar is the listbox holding the rows named after the sections. */
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (window)); w != NULL;)
    {
      if (GTK_IS_LIST_BOX (w))
        {
          sidebar = w;
          break;
        }
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          if (w != NULL)
            w = gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_nonnull (sidebar);

  for (row = gtk_widget_get_first_child (sidebar); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      g_autoptr(GString) text = g_string_new (NULL);

      if (!GTK_IS_LIST_BOX_ROW (row))
        continue;
      g_assert_cmpuint (i, <, G_N_ELEMENTS (sections));
      g_assert_cmpstr (gtk_widget_get_name (row), ==, sections[i]);
      collect_text (row, text);
      g_assert_cmpstr (text->str, ==, _(titles[i]));
      g_assert_true (gtk_widget_get_visible (row));
      i++;
    }
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (sections));

  for (i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      sd_window_set_section (window, sections[i]);
      g_assert_cmpstr (sd_window_get_section (window), ==, sections[i]);
    }
}

static void
test_sections (void)
{
  run_with_window (check_sections);
}

static gboolean
is_interactive (GtkWidget *widget)
{
  if (GTK_IS_TEXT (widget))  /* the inside of an entry: the entry is checked */
    return FALSE;
  return GTK_IS_BUTTON (widget)
         || GTK_IS_MENU_BUTTON (widget)
         || GTK_IS_SWITCH (widget)
         || GTK_IS_CHECK_BUTTON (widget)
         || GTK_IS_EDITABLE (widget)
         || GTK_IS_SCALE (widget)
         || GTK_IS_DROP_DOWN (widget)
         || GTK_IS_LIST_BOX (widget)
         || (GTK_IS_LIST_BOX_ROW (widget)
             && gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)));
}

static gboolean
has_text (GtkWidget *widget)
{
  g_autoptr(GString) text = g_string_new (NULL);

  collect_text (widget, text);
  return text->len > 0;
}

static gboolean
has_name (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  return gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL)
         || gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY)
         || has_text (widget);
}

static char *
describe (GtkWidget *widget)
{
  GString *path = g_string_new (NULL);

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *icon = GTK_IS_BUTTON (w) ? gtk_button_get_icon_name (GTK_BUTTON (w)) : NULL;

      g_string_prepend (path, G_OBJECT_TYPE_NAME (w));
      if (icon != NULL)
        {
          g_autofree char *tag = g_strdup_printf ("[%s]", icon);

          g_string_prepend (path, tag);
        }
      if (gtk_widget_get_parent (w) != NULL)
        g_string_prepend (path, " > ");
    }
  return g_string_free (path, FALSE);
}

/* @named_ancestor: an enclosing control with a name (a part of a composite control, such
 * as the toggle inside a menu button, takes its name from it). */
static void
walk (GtkWidget *widget,
      gboolean   named_ancestor,
      GPtrArray *unnamed,
      guint     *checked)
{
  if (is_interactive (widget))
    {
      gboolean named = has_name (widget);

      (*checked)++;
      if (!named && !named_ancestor)
        g_ptr_array_add (unnamed, describe (widget));
      named_ancestor = named || named_ancestor;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk (child, named_ancestor, unnamed, checked);
}

static void
check_accessible_names (SdApplication *app,
                        SdWindow      *window)
{
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  guint checked = 0;

  walk (GTK_WIDGET (window), FALSE, unnamed, &checked);
  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("no accessible name: %s", (char *) unnamed->pdata[i]);
  g_assert_cmpuint (checked, >=, 8);
  g_assert_cmpuint (unnamed->len, ==, 0);
}

static void
test_accessible_names (void)
{
  run_with_window (check_accessible_names);
}

static void
check_resize (SdApplication *app,
              SdWindow      *window)
{
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 650);
}

static void
test_keeps_size (void)
{
  g_autoptr(SdApplication) app = NULL;
  GSettings *settings;

  run_with_window (check_resize);

  /* The settings are the memory backend's, shared by the process: read them back. */
  app = sd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  settings = sd_application_get_settings (app);
  if (settings == NULL)
    {
      g_test_skip ("the settings schema is not compiled (GSETTINGS_SCHEMA_DIR)");
      return;
    }
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 650);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SDELKA_LOCALEDIR") ? g_getenv ("SDELKA_LOCALEDIR")
                                                                 : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: run under xvfb-run (as .ci/test does)\n");
      return 77;
    }

  g_test_add_func ("/ui/window/sections", test_sections);
  g_test_add_func ("/ui/window/accessible-names", test_accessible_names);
  g_test_add_func ("/ui/window/keeps-size", test_keeps_size);
  return g_test_run ();
}
