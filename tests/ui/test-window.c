/* test-window.c: the application starts, its window shows the sections, every control in
 * it has a name for assistive technologies, the deal's card slides in even before the board
 * was ever laid out, and the window keeps its size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <math.h>

#include "pipeline/sd-deal-item.h"
#include "pipeline/sd-deal-tile.h"
#include "pipeline/sd-stage-column.h"
#include "sd-records.h"
#include "sd-test-app.h"

static void
check_sections (SdApplication *app,
                SdWindow      *window,
                gpointer       user_data)
{
  static const char *sections[] = { "payments", "reports", "automation", "notifications" };
  static const char *titles[] = { N_("Payments"), N_("Reports"), N_("Automation"),
                                  N_("Notifications") };
  SdStore *store = sd_application_get_store (app);
  g_autoptr(GPtrArray) pipelines = NULL;
  g_autoptr(GHashTable) counts = NULL;
  GtkWidget *sidebar = NULL;
  GtkWidget *row;
  guint i = 0;

  g_assert_nonnull (store);
  pipelines = sd_store_list_pipelines (store, NULL);
  counts = sd_store_count_open_deals (store, NULL);
  g_assert_cmpuint (pipelines->len, ==, 4);
  g_assert_cmpstr (sd_window_get_section (window), ==, "pipelines");

  /* The sidebar is the first listbox: a row per pipeline, then the other sections. */
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (window)); w != NULL;)
    {
      /* (The act-as popover holds a listbox too: the sidebar's rows are the sections.) */
      if (GTK_IS_LIST_BOX (w) && gtk_widget_get_first_child (w) != NULL
          && g_strcmp0 (gtk_widget_get_name (gtk_widget_get_first_child (w)), "pipelines") == 0)
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
      g_autofree char *expected = NULL;

      if (!GTK_IS_LIST_BOX_ROW (row))
        continue;
      sd_test_collect_text (row, text);
      g_assert_true (gtk_widget_get_visible (row));
      if (i < pipelines->len)
        {
          SdPipeline *pipeline = pipelines->pdata[i];

          g_assert_cmpstr (gtk_widget_get_name (row), ==, "pipelines");
          expected = g_strdup_printf ("%s%u", pipeline->name,
                                      GPOINTER_TO_UINT (g_hash_table_lookup (counts, &pipeline->id)));
        }
      else
        {
          g_assert_cmpuint (i - pipelines->len, <, G_N_ELEMENTS (sections));
          g_assert_cmpstr (gtk_widget_get_name (row), ==, sections[i - pipelines->len]);
          expected = g_strdup (_(titles[i - pipelines->len]));
        }
      g_assert_cmpstr (text->str, ==, expected);
      i++;
    }
  g_assert_cmpuint (i, ==, pipelines->len + G_N_ELEMENTS (sections));

  for (i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      sd_window_set_section (window, sections[i]);
      g_assert_cmpstr (sd_window_get_section (window), ==, sections[i]);
    }
  sd_window_set_section (window, "pipelines");
  g_assert_cmpstr (sd_window_get_section (window), ==, "pipelines");

  /* The pipeline shown is kept by its code, for the next start. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *last = g_settings_get_string (settings, "last-pipeline");

    g_assert_cmpstr (last, ==, ((SdPipeline *) pipelines->pdata[0])->code);
  }
}

static void
test_sections (void)
{
  g_autofree char *path = sd_test_use_demo ("sections.db", 300);

  sd_test_run_with_window (check_sections, NULL);
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
         || GTK_IS_LIST_VIEW (widget)
         || SD_IS_DEAL_TILE (widget)
         || (GTK_IS_LIST_BOX_ROW (widget)
             && gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)));
}

static gboolean
has_text (GtkWidget *widget)
{
  g_autoptr(GString) text = g_string_new (NULL);

  sd_test_collect_text (widget, text);
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
                        SdWindow      *window,
                        gpointer       user_data)
{
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  guint checked = 0;

  /* With a deal open, so its card's controls are walked too. */
  g_assert_true (sd_window_open_deal (window, 1));
  sd_test_settle ();
  walk (GTK_WIDGET (window), FALSE, unnamed, &checked);
  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("no accessible name: %s", (char *) unnamed->pdata[i]);
  g_assert_cmpuint (checked, >=, 40);
  g_assert_cmpuint (unnamed->len, ==, 0);
}

static void
test_accessible_names (void)
{
  g_autofree char *path = sd_test_use_demo ("names.db", 300);

  sd_test_run_with_window (check_accessible_names, NULL);
}

static GtkWidget *
find_flap (GtkWidget *widget)
{
  if (ADW_IS_FLAP (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_flap (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  int   width;    /* the flap's when its slide started; -1: not started */
  guint nowhere;  /* frames with no position (NaN) */
} Slide;

static void
on_reveal_flap (AdwFlap    *flap,
                GParamSpec *pspec,
                Slide      *slide)
{
  if (adw_flap_get_reveal_flap (flap))
    slide->width = gtk_widget_get_width (GTK_WIDGET (flap));
}

static void
on_reveal_progress (AdwFlap    *flap,
                    GParamSpec *pspec,
                    Slide      *slide)
{
  if (isnan (adw_flap_get_reveal_progress (flap)))
    slide->nowhere++;
}

/* A deal opened in a window that has not shown its board yet (as from the Notifications
 * page, or the board the first sync brought): the card slides in as it does later. Its
 * slide used to start before the board's first layout, and libadwaita 1.2 took its speed
 * as 0 divided by the flap's width, 0 then: the card jumped in, now and then after a frame
 * with the card nowhere (NaN), which GTK warned about (fatal in tests) as the flap's
 * minimum width above its natural one. Whether a slide shows frames depends on the
 * machine's speed; where it starts from does not. */
static void
check_card_first_open (SdApplication *app,
                       SdWindow      *window,
                       gpointer       user_data)
{
  g_autoptr(GPtrArray) columns = sd_kanban_get_columns (sd_window_get_kanban (window));
  g_autoptr(SdDealItem) item = NULL;
  SdWindow *other;
  AdwFlap *flap;
  gboolean animated;
  Slide slide = { -1, 0 };
  gint64 end;

  for (guint i = 0; i < columns->len && item == NULL; i++)
    if (g_list_model_get_n_items (G_LIST_MODEL (sd_stage_column_get_model (columns->pdata[i]))) > 0)
      item = g_list_model_get_item (G_LIST_MODEL (sd_stage_column_get_model (columns->pdata[i])), 0);
  g_assert_nonnull (item);
  g_object_get (gtk_widget_get_settings (GTK_WIDGET (window)), "gtk-enable-animations", &animated, NULL);
  g_assert_true (animated);

  other = sd_window_new (GTK_APPLICATION (app), NULL, sd_application_get_store (app));
  sd_window_set_section (other, "notifications");
  gtk_window_present (GTK_WINDOW (other));
  flap = ADW_FLAP (find_flap (GTK_WIDGET (other)));
  g_assert_nonnull (flap);
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!gtk_widget_get_mapped (GTK_WIDGET (other)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (other)));
  sd_test_settle ();
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (flap)), ==, 0);

  g_signal_connect (flap, "notify::reveal-flap", G_CALLBACK (on_reveal_flap), &slide);
  g_signal_connect (flap, "notify::reveal-progress", G_CALLBACK (on_reveal_progress), &slide);
  g_assert_true (sd_window_open_deal (other, sd_deal_item_get_id (item)));
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (adw_flap_get_reveal_progress (flap) != 1.0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpfloat (adw_flap_get_reveal_progress (flap), ==, 1.0);
  g_assert_cmpint (slide.width, >, 0);
  g_assert_cmpuint (slide.nowhere, ==, 0);
  g_signal_handlers_disconnect_by_data (flap, &slide);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (sd_window_get_deal_view (other))), >=, 360);
  gtk_window_destroy (GTK_WINDOW (other));
}

static void
test_card_first_open (void)
{
  g_autofree char *path = sd_test_use_demo ("card.db", 300);

  sd_test_run_with_window (check_card_first_open, NULL);
}

static void
check_resize (SdApplication *app,
              SdWindow      *window,
              gpointer       user_data)
{
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 650);
}

static void
test_keeps_size (void)
{
  g_autoptr(SdApplication) app = NULL;
  GSettings *settings;

  g_autofree char *path = sd_test_use_demo ("size.db", 300);

  sd_test_run_with_window (check_resize, NULL);

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
  int status;

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
  g_test_add_func ("/ui/window/card-first-open", test_card_first_open);
  g_test_add_func ("/ui/window/keeps-size", test_keeps_size);
  status = g_test_run ();
  sd_test_cleanup ();
  return status;
}
