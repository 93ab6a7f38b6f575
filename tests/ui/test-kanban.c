/* test-kanban.c: the board and the deal card over a demo database: columns, counts and
 * sums; moves by the drop path, allowed and refused; editing a deal and its timeline;
 * search; the Russian board; the Notifications section beside the bell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sqlite3.h>

#include "automation/sd-automation-view.h"
#include "deal/sd-party-picker.h"
#include "notifications/sd-bell-button.h"
#include "notifications/sd-notifications-page.h"
#include "pipeline/sd-deal-item.h"
#include "pipeline/sd-new-deal-dialog.h"
#include "pipeline/sd-stage-column.h"
#include "sd-money.h"
#include "sd-deal-parts.h"
#include "sd-records.h"
#include "sd-render.h"
#include "sd-search.h"
#include "sd-test-app.h"

static SdStageColumn *
column_at (SdKanban *kanban,
           guint     index)
{
  g_autoptr(GPtrArray) columns = sd_kanban_get_columns (kanban);

  g_assert_cmpuint (index, <, columns->len);
  return columns->pdata[index];
}

static guint
n_cards (SdStageColumn *column)
{
  return g_list_model_get_n_items (G_LIST_MODEL (sd_stage_column_get_model (column)));
}

static gint64
deal_at (SdStageColumn *column,
         guint          position)
{
  g_autoptr(SdDealItem) item =
    g_list_model_get_item (G_LIST_MODEL (sd_stage_column_get_model (column)), position);

  g_assert_nonnull (item);
  return sd_deal_item_get_id (item);
}

static gint64
stage_of (SdStore *store,
          gint64   deal_id)
{
  g_autoptr(SdDeal) deal = sd_store_get_deal (store, deal_id, NULL);

  g_assert_nonnull (deal);
  return deal->stage_id;
}

/* The board shows every stage of the pipeline, in order, with the store's counts and
 * sums, written for the locale. */
static void
check_columns (SdApplication *app,
               SdWindow      *window,
               gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  gint64 pipeline_id = sd_board_get_pipeline (sd_kanban_get_board (kanban));
  g_autoptr(GPtrArray) stages = sd_store_list_stages (store, pipeline_id, NULL);
  g_autoptr(GArray) totals = sd_store_stage_totals (store, pipeline_id, NULL);
  g_autoptr(GPtrArray) columns = sd_kanban_get_columns (kanban);
  guint rows_read = 0, longest = 0;

  g_assert_cmpuint (columns->len, ==, stages->len);
  g_assert_cmpuint (columns->len, >=, 5);
  for (guint i = 0; i < columns->len; i++)
    {
      SdStageColumn *column = columns->pdata[i];
      SdStage *stage = stages->pdata[i];
      SdStageTotal *total = &g_array_index (totals, SdStageTotal, i);
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *sum = sd_money_format (total->sum, "RUB");
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, total->count);

      g_assert_cmpint (sd_stage_column_get_stage (column), ==, stage->id);
      g_assert_cmpstr (sd_stage_column_get_title (column), ==, stage->name);
      g_assert_cmpuint (n_cards (column), ==, total->count);
      g_assert_cmpint (sd_stage_model_get_sum (sd_stage_column_get_model (column)), ==, total->sum);
      sd_test_collect_text (GTK_WIDGET (column), text);
      g_assert_nonnull (strstr (text->str, stage->name));
      g_assert_nonnull (strstr (text->str, sum));
      g_assert_nonnull (strstr (text->str, count));
      rows_read = MAX (rows_read, sd_stage_model_get_rows_read (sd_stage_column_get_model (column)));
      longest = MAX (longest, n_cards (column));
    }
  /* A column reads what its view keeps around the visible cards (GtkListView holds up to
   * 200 rows), however long it is. */
  g_assert_cmpuint (rows_read, >, 0);
  g_assert_cmpuint (rows_read, <=, 250);
  g_assert_cmpuint (longest, >, rows_read);
}

static void
test_columns (void)
{
  g_autofree char *path = sd_test_use_demo ("columns.db", 6000);

  sd_test_run_with_window (check_columns, NULL);
}

/* A drop (the column's ::deal-dropped, as GtkDropTarget emits it) moves the deal in the
 * store, journals it, and both columns follow. */
static void
check_move (SdApplication *app,
            SdWindow      *window,
            gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  SdStageColumn *from = column_at (kanban, 0);
  SdStageColumn *to = column_at (kanban, 1);
  guint n_from = n_cards (from), n_to = n_cards (to);
  gint64 deal_id = deal_at (from, 0);
  g_autoptr(SdDealItem) item =
    g_list_model_get_item (G_LIST_MODEL (sd_stage_column_get_model (from)), 0);
  g_autoptr(GPtrArray) journal = NULL;
  g_autofree char *expected = NULL;
  SdJournalEntry *last;
  gboolean moved = FALSE;
  guint position;

  g_signal_emit_by_name (to, "deal-dropped", item, &moved);
  g_assert_true (moved);

  g_assert_cmpint (stage_of (store, deal_id), ==, sd_stage_column_get_stage (to));
  journal = sd_store_list_journal (store, 0, deal_id, 100000, NULL);
  last = journal->pdata[journal->len - 1];
  g_assert_cmpstr (last->entity, ==, "deal");
  g_assert_cmpstr (last->op, ==, "update");
  expected = g_strdup_printf ("\"stage_id\":[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]",
                              sd_stage_column_get_stage (from), sd_stage_column_get_stage (to));
  g_assert_nonnull (strstr (last->changes, expected));

  g_assert_cmpuint (n_cards (from), ==, n_from - 1);
  g_assert_cmpuint (n_cards (to), ==, n_to + 1);
  g_assert_true (sd_board_locate (sd_kanban_get_board (kanban), sd_stage_column_get_stage (to),
                                  deal_id, &position, NULL, NULL));
  g_assert_cmpint (deal_at (to, position), ==, deal_id);
  for (guint i = 0; i < n_cards (from) && i < 60; i++)
    g_assert_cmpint (deal_at (from, i), !=, deal_id);
}

/* The keyboard: the focused card moves to the next column with kanban.move-right
 * (Alt+Right), and the focus follows it there. */
static void
check_keyboard_move (SdApplication *app,
                     SdWindow      *window,
                     gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  SdStageColumn *from = column_at (kanban, 0);
  SdStageColumn *to = column_at (kanban, 1);
  gint64 deal_id = deal_at (from, 0);
  guint n_to = n_cards (to);

  g_assert_true (sd_stage_column_focus_deal (from, deal_id));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (kanban), "kanban.move-right", NULL));
  g_assert_cmpint (stage_of (store, deal_id), ==, sd_stage_column_get_stage (to));
  g_assert_cmpuint (n_cards (to), ==, n_to + 1);
}

static void
test_keyboard_move (void)
{
  g_autofree char *path = sd_test_use_demo ("keyboard.db", 300);

  sd_test_run_with_window (check_keyboard_move, NULL);
}

static void
test_move (void)
{
  g_autofree char *path = sd_test_use_demo ("move.db", 300);

  sd_test_run_with_window (check_move, NULL);
}

/* A foreman sees the works stage only and may not move deals: the store refuses, the card
 * stays where it was. */
static void
check_refused (SdApplication *app,
               SdWindow      *window,
               gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  gint64 pipeline_id = sd_store_find_pipeline (store, "renovation");
  gint64 works, final_act, deal_id;
  SdStageColumn *column;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) columns = NULL;
  guint before;

  g_assert_cmpint (pipeline_id, ==, sd_board_get_pipeline (sd_kanban_get_board (kanban)));
  works = sd_store_find_stage (store, pipeline_id, "works");
  final_act = sd_store_find_stage (store, pipeline_id, "final_act");
  sd_window_set_actor (window, sd_store_find_user (store, "komarov20"));

  columns = sd_kanban_get_columns (kanban);
  g_assert_cmpuint (columns->len, ==, 1);
  column = columns->pdata[0];
  g_assert_cmpint (sd_stage_column_get_stage (column), ==, works);
  before = n_cards (column);
  g_assert_cmpuint (before, >, 0);
  deal_id = deal_at (column, 0);

  g_assert_false (sd_kanban_move_deal (kanban, deal_id, final_act, &error));
  g_assert_error (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED);
  g_assert_cmpint (stage_of (store, deal_id), ==, works);
  g_assert_cmpuint (n_cards (column), ==, before);
  g_assert_cmpint (deal_at (column, 0), ==, deal_id);
}

static void
test_refused (void)
{
  g_autofree char *path = sd_test_use_demo ("refused.db", 300);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  /* The board opens at the pipeline shown last. */
  g_settings_set_string (settings, "last-pipeline", "renovation");
  sd_test_run_with_window (check_refused, NULL);
}

static gboolean
timeline_has (SdDealView *view,
              const char *text)
{
  g_autoptr(GPtrArray) lines = sd_deal_view_get_timeline (view);

  for (guint i = 0; i < lines->len; i++)
    if (strstr (lines->pdata[i], text) != NULL)
      return TRUE;
  return FALSE;
}

static GtkWidget *
find_row_titled (GtkWidget  *widget,
                 const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row_titled (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* An edited field is saved through the store and shows on the timeline; what the checks
 * refuse is not saved; undo puts the old value back. */
static void
check_deal_card (SdApplication *app,
                 SdWindow      *window,
                 gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdDealView *view = sd_window_get_deal_view (window);
  gint64 deal_id = deal_at (column_at (sd_window_get_kanban (window), 0), 0);
  g_autoptr(SdDeal) before = sd_store_get_deal (store, deal_id, NULL);
  g_autoptr(SdDeal) after = NULL;
  g_autoptr(SdDeal) undone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GPtrArray) people = NULL;
  g_autoptr(GPtrArray) users = NULL;
  GtkWidget *responsible;
  guint chosen;

  g_assert_true (sd_window_open_deal (window, deal_id));
  g_assert_cmpint (sd_deal_view_get_deal (view), ==, deal_id);

  g_assert_true (sd_deal_view_save (view, "title", "Ремонт ванной, ул. Тестовая, д. 1", &error));
  g_assert_no_error (error);
  sd_test_settle ();
  after = sd_store_get_deal (store, deal_id, NULL);
  g_assert_cmpstr (after->title, ==, "Ремонт ванной, ул. Тестовая, д. 1");
  line = g_strdup_printf (_("%s: %s → %s"), _("Title"), before->title, after->title);
  g_assert_true (timeline_has (view, line));

  g_assert_false (sd_deal_view_save (view, "title", "   ", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (sd_deal_view_save (view, "amount", "-100", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (sd_deal_view_save (view, "next_contact_on", "31.02.2026", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_true (sd_deal_view_undo (view, &error));
  g_assert_no_error (error);
  undone = sd_store_get_deal (store, deal_id, NULL);
  g_assert_cmpstr (undone->title, ==, before->title);

  /* Another person takes the main part. */
  sd_test_settle ();
  responsible = find_row_titled (GTK_WIDGET (view), _("Main responsible"));
  g_assert_nonnull (responsible);
  chosen = adw_combo_row_get_selected (ADW_COMBO_ROW (responsible)) == 0 ? 1 : 0;
  adw_combo_row_set_selected (ADW_COMBO_ROW (responsible), chosen);
  people = sd_store_list_deal_parts (store, SD_DEAL_PART_RESPONSIBLES, deal_id, NULL);
  users = sd_store_list_users (store, NULL);
  g_assert_cmpint (((SdDealPart *) people->pdata[0])->ref, ==,
                   ((SdUser *) users->pdata[chosen])->id);
}

/* A new deal needs its title and client; it is made at the first stage, with its contact,
 * and shows at the top of that column. */
static void
check_new_deal (SdApplication *app,
                SdWindow      *window,
                gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  SdStageColumn *first = column_at (kanban, 0);
  guint before = n_cards (first);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdDeal) deal = NULL;
  GtkWidget *dialog;
  gint64 deal_id;

  dialog = sd_new_deal_dialog_new (store, sd_board_get_pipeline (sd_kanban_get_board (kanban)),
                                   &error);
  g_assert_no_error (error);
  gtk_editable_set_text (GTK_EDITABLE (find_row_titled (dialog, _("Title"))), "Ремонт кухни, ул. Новая, д. 1");
  g_assert_cmpint (sd_new_deal_dialog_save (SD_NEW_DEAL_DIALOG (dialog), &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  gtk_editable_set_text (GTK_EDITABLE (find_row_titled (dialog, _("Client’s name"))), "Петрова Мария");
  gtk_editable_set_text (GTK_EDITABLE (find_row_titled (dialog, _("Client’s phone"))), "12");
  g_assert_cmpint (sd_new_deal_dialog_save (SD_NEW_DEAL_DIALOG (dialog), &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  gtk_editable_set_text (GTK_EDITABLE (find_row_titled (dialog, _("Client’s phone"))), "+7 916 123-45-67");
  gtk_editable_set_text (GTK_EDITABLE (find_row_titled (dialog, _("Amount"))), "250 000");
  deal_id = sd_new_deal_dialog_save (SD_NEW_DEAL_DIALOG (dialog), &error);
  g_assert_no_error (error);
  g_assert_cmpint (deal_id, >, 0);
  deal = sd_store_get_deal (store, deal_id, NULL);
  g_assert_cmpint (deal->stage_id, ==, sd_stage_column_get_stage (first));
  g_assert_cmpint (deal->amount, ==, 25000000);
  g_assert_cmpstr (deal->contact_name, ==, "Петрова Мария");
  g_assert_cmpuint (n_cards (first), ==, before + 1);
  g_assert_cmpint (deal_at (first, 0), ==, deal_id);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_new_deal (void)
{
  g_autofree char *path = sd_test_use_demo ("new.db", 300);

  sd_test_run_with_window (check_new_deal, NULL);
}

/* A company made inline is checked (INN) and becomes the deal's company when picked. */
static void
check_party_picker (SdApplication *app,
                    SdWindow      *window,
                    gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  gint64 deal_id = deal_at (column_at (sd_window_get_kanban (window), 0), 0);
  GtkWidget *picker = sd_party_picker_new (store, SD_ENTITY_COMPANY);
  g_autoptr(GError) error = NULL;
  g_autoptr(SdDeal) deal = NULL;
  g_autofree char *inn = NULL;
  gint64 company_id;

  g_object_ref_sink (picker);
  g_assert_true (sd_window_open_deal (window, deal_id));
  g_assert_cmpint (sd_party_picker_create (SD_PARTY_PICKER (picker), "ООО «Ромашка»",
                                           "7707083894", &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  company_id = sd_party_picker_create (SD_PARTY_PICKER (picker), "ООО «Ромашка»", "7707083893",
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpint (company_id, >, 0);
  inn = sd_store_get_company_inn (store, company_id);
  g_assert_cmpstr (inn, ==, "7707083893");

  /* What the deal card does with a picked row. */
  g_assert_true (sd_deal_view_set_party (sd_window_get_deal_view (window), SD_ENTITY_COMPANY,
                                         company_id, &error));
  g_assert_no_error (error);
  deal = sd_store_get_deal (store, deal_id, NULL);
  g_assert_cmpint (deal->company_id, ==, company_id);
  g_assert_cmpstr (deal->company_title, ==, "ООО «Ромашка»");
  g_object_unref (picker);
}

static void
test_party_picker (void)
{
  g_autofree char *path = sd_test_use_demo ("party.db", 300);

  sd_test_run_with_window (check_party_picker, NULL);
}

static void
test_deal_card (void)
{
  g_autofree char *path = sd_test_use_demo ("deal.db", 300);

  sd_test_run_with_window (check_deal_card, NULL);
}

/* Typing in the search narrows the board to the deals the index finds. */
static void
check_search (SdApplication *app,
              SdWindow      *window,
              gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  gint64 pipeline_id = sd_board_get_pipeline (sd_kanban_get_board (kanban));
  SdStageColumn *first = column_at (kanban, 0);
  g_autoptr(SdDeal) deal = sd_store_get_deal (store, deal_at (first, 0), NULL);
  g_autofree char *surname = g_strndup (deal->contact_name, strcspn (deal->contact_name, " "));
  g_autoptr(GArray) hits = sd_store_search_deals (store, surname, pipeline_id, 100000, NULL);
  g_autoptr(GPtrArray) columns = sd_kanban_get_columns (kanban);
  guint all = 0, found = 0;

  for (guint i = 0; i < columns->len; i++)
    all += n_cards (columns->pdata[i]);
  sd_kanban_set_search (kanban, surname);
  for (guint i = 0; i < columns->len; i++)
    {
      for (guint p = 0; p < n_cards (columns->pdata[i]); p++)
        {
          gint64 id = deal_at (columns->pdata[i], p);
          gboolean hit = FALSE;

          for (guint h = 0; h < hits->len && !hit; h++)
            hit = g_array_index (hits, SdSearchHit, h).id == id;
          g_assert_true (hit);
        }
      found += n_cards (columns->pdata[i]);
    }
  g_assert_cmpuint (found, ==, hits->len);
  g_assert_cmpuint (found, >, 0);
  g_assert_cmpuint (found, <, all);

  sd_kanban_set_search (kanban, "");
  found = 0;
  for (guint i = 0; i < columns->len; i++)
    found += n_cards (columns->pdata[i]);
  g_assert_cmpuint (found, ==, all);
}

static void
test_search (void)
{
  g_autofree char *path = sd_test_use_demo ("search.db", 300);

  sd_test_run_with_window (check_search, NULL);
}

/* R-AUTO-6/7 through the window: a person drops a body-repair deal without photos on
 * "Inspection / photos". The photo guard refuses it: the toast says exactly what is
 * missing, in the interface language, the deal stays and nothing is written. With a photo
 * attached the same drop moves it. */
static void
check_guard (SdApplication *app,
             SdWindow      *window,
             gpointer       user_data)
{
  const char *expected = user_data;
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  gint64 pipeline_id = sd_store_find_pipeline (store, "body_repair");
  SdStageColumn *from = column_at (kanban, 0);
  SdStageColumn *to = column_at (kanban, 1);
  gint64 deal_id, last_entry;
  g_autoptr(SdDealItem) item = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  SdChanges *photo;
  guint n_from = n_cards (from), n_to = n_cards (to);
  gboolean moved = TRUE;

  g_assert_cmpint (sd_board_get_pipeline (sd_kanban_get_board (kanban)), ==, pipeline_id);
  g_assert_cmpint (sd_stage_column_get_stage (from), ==,
                   sd_store_find_stage (store, pipeline_id, "first_contact"));
  g_assert_cmpint (sd_stage_column_get_stage (to), ==,
                   sd_store_find_stage (store, pipeline_id, "inspection"));
  g_assert_cmpuint (n_from, >, 0);
  deal_id = deal_at (from, 0);
  item = g_list_model_get_item (G_LIST_MODEL (sd_stage_column_get_model (from)), 0);
  last_entry = sd_store_get_last_journal_id (store);

  /* The drop, as GtkDropTarget makes it. */
  g_signal_emit_by_name (to, "deal-dropped", item, &moved);
  g_assert_false (moved);
  sd_test_settle ();
  g_assert_cmpint (stage_of (store, deal_id), ==, sd_stage_column_get_stage (from));
  g_assert_cmpint (sd_store_get_last_journal_id (store), ==, last_entry);
  g_assert_cmpuint (n_cards (from), ==, n_from);
  g_assert_cmpuint (n_cards (to), ==, n_to);
  g_assert_cmpint (deal_at (from, 0), ==, deal_id);
  sd_test_collect_text (GTK_WIDGET (window), text);
  g_assert_nonnull (strstr (text->str, expected));

  /* The keyboard's move is the same move. */
  g_assert_true (sd_stage_column_focus_deal (from, deal_id));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (kanban), "kanban.move-right", NULL));
  g_assert_cmpint (stage_of (store, deal_id), ==, sd_stage_column_get_stage (from));
  g_assert_false (sd_kanban_move_deal (kanban, deal_id, sd_stage_column_get_stage (to), &error));
  g_assert_error (error, SD_AUTOMATION_ERROR, SD_AUTOMATION_ERROR_GUARD);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (sd_store_get_last_journal_id (store), ==, last_entry);

  /* With a photo the guard lets it in. */
  photo = sd_changes_new ();
  sd_changes_set_int (photo, "deal_id", deal_id);
  sd_changes_set_text (photo, "kind", "photo");
  sd_changes_set_text (photo, "name", "front.jpg");
  g_assert_cmpint (sd_store_insert (store, SD_ENTITY_FILE, photo, NULL), >, 0);
  sd_changes_free (photo);
  g_signal_emit_by_name (to, "deal-dropped", item, &moved);
  g_assert_true (moved);
  g_assert_cmpint (stage_of (store, deal_id), ==, sd_stage_column_get_stage (to));
}

static void
test_guard (void)
{
  g_autofree char *path = sd_test_use_demo ("guard.db", 300);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  gboolean russian = g_str_has_prefix (setlocale (LC_MESSAGES, NULL), "ru");

  g_settings_set_string (settings, "last-pipeline", "body_repair");
  sd_test_run_with_window (check_guard, russian ? "Прикрепите хотя бы одну фотографию"
                                                : "Attach at least one photo");
}

/* Under a Russian locale the board is Russian; the picture is kept in the build folder. */
static void
check_russian (SdApplication *app,
               SdWindow      *window,
               gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  g_autoptr(GPtrArray) columns = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *png = g_test_build_filename (G_TEST_BUILT, "kanban-ru.png", NULL);
  gint64 pipeline_id = sd_store_find_pipeline (store, "renovation");

  g_assert_cmpint (sd_board_get_pipeline (sd_kanban_get_board (kanban)), ==, pipeline_id);
  columns = sd_kanban_get_columns (kanban);
  g_assert_cmpstr (sd_stage_column_get_title (columns->pdata[0]), ==, "Регистрация");
  for (guint i = 0; i < columns->len; i++)
    {
      const char *title = sd_stage_column_get_title (columns->pdata[i]);

      /* Every title is written in Cyrillic. */
      g_assert_true (g_unichar_get_script (g_utf8_get_char (title)) == G_UNICODE_SCRIPT_CYRILLIC);
    }
  sd_test_collect_text (GTK_WIDGET (window), text);
  g_assert_nonnull (strstr (text->str, "Ремонт"));
  g_assert_nonnull (strstr (text->str, "Новая сделка"));
  g_assert_nonnull (strstr (text->str, "Регистрация"));

  g_assert_true (sd_render_widget_to_png (GTK_WIDGET (window),
                                          gtk_widget_get_width (GTK_WIDGET (window)),
                                          gtk_widget_get_height (GTK_WIDGET (window)),
                                          png, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
}

static void
test_russian (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  if (!g_str_has_prefix (setlocale (LC_MESSAGES, NULL), "ru"))
    {
      g_test_skip ("needs LANG=ru_RU.UTF-8 (the kanban-ru test sets it)");
      return;
    }
  path = sd_test_use_demo ("russian.db", 300);
  g_settings_set_string (settings, "last-pipeline", "renovation");
  sd_test_run_with_window (check_russian, NULL);
}

/* The Notifications section lists every notification of the person acting, newest first,
 * the unread marked; it filters the unread, opens an entry's deal, marks one or all read,
 * and the bell in the header follows it (and it the bell). */
static void
check_notifications (SdApplication *app,
                     SdWindow      *window,
                     gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdAutomation *automation = sd_application_get_automation (app);
  gint64 me = sd_store_get_actor (store);
  gint64 pipeline = sd_store_find_pipeline (store, "body_repair");
  gint64 first_contact = sd_store_find_stage (store, pipeline, "first_contact");
  g_autoptr(SdBoard) board = sd_board_new (store, pipeline);
  g_autoptr(GPtrArray) deals = sd_board_list (board, first_contact, 0, 2, NULL);
  GtkWidget *bell = NULL;
  SdNotificationsPage *page = SD_NOTIFICATIONS_PAGE (sd_window_get_notifications (window, &bell));
  g_autoptr(GError) error = NULL;
  guint listed, unread;
  gint64 opened_deal;

  g_assert_nonnull (automation);
  g_assert_cmpint (me, !=, 0);
  g_assert_nonnull (deals);
  g_assert_cmpuint (deals->len, ==, 2);
  sd_window_set_section (window, "notifications");
  g_assert_cmpuint (sd_notifications_page_get_n_entries (page), ==,
                    sd_bell_button_get_unread (SD_BELL_BUTTON (bell)));

  /* Two deals at first contact become the acting person's: the robots of the stage
   * notify them (and the runner is running, as in the app). */
  for (guint i = 0; i < deals->len; i++)
    {
      gint64 deal_id = ((SdCard *) deals->pdata[i])->id;
      g_autoptr(GPtrArray) parts = sd_store_list_deal_parts (store, SD_DEAL_PART_RESPONSIBLES,
                                                            deal_id, NULL);
      g_autoptr(SdChanges) c = sd_changes_new ();
      SdAutomationEvent entered = { SD_EVENT_ENTERED, deal_id, me, NULL, NULL, NULL };

      g_assert_cmpuint (parts->len, >, 0);
      sd_changes_set_int (c, "user_id", me);
      g_assert_true (sd_store_update (store, SD_ENTITY_DEAL_RESPONSIBLE,
                                      ((SdDealPart *) parts->pdata[0])->id, c, &error));
      g_assert_no_error (error);
      g_assert_true (sd_automation_handle (automation, &entered, &error));
      g_assert_no_error (error);
    }
  sd_test_settle ();
  unread = sd_bell_button_get_unread (SD_BELL_BUTTON (bell));
  g_assert_cmpuint (unread, >=, 2);
  listed = sd_notifications_page_get_n_entries (page);
  g_assert_cmpuint (listed, ==, unread);
  g_assert_true (sd_notifications_page_entry_is_unread (page, 0));

  /* One marked read on the page: the bell counts one less, the page keeps it, read. */
  sd_notifications_page_mark_entry_read (page, 0);
  g_assert_cmpuint (sd_bell_button_get_unread (SD_BELL_BUTTON (bell)), ==, unread - 1);
  g_assert_cmpuint (sd_notifications_page_get_n_entries (page), ==, listed);
  g_assert_false (sd_notifications_page_entry_is_unread (page, 0));
  g_assert_true (sd_notifications_page_entry_is_unread (page, 1));

  /* Only the unread. */
  sd_notifications_page_set_unread_only (page, TRUE);
  g_assert_cmpuint (sd_notifications_page_get_n_entries (page), ==, unread - 1);

  /* Read in the bell: the page follows. */
  sd_bell_button_activate_entry (SD_BELL_BUTTON (bell), 0);
  g_assert_cmpuint (sd_notifications_page_get_n_entries (page), ==, unread - 2);

  /* An entry opens its deal beside the board, and is read. */
  sd_notifications_page_set_unread_only (page, FALSE);
  g_assert_true (sd_notifications_page_entry_is_unread (page, 2) || unread == 2);
  opened_deal = ((SdCard *) deals->pdata[0])->id;
  sd_notifications_page_activate_entry (page, listed - 1);
  g_assert_cmpstr (sd_window_get_section (window), ==, "pipelines");
  g_assert_cmpint (sd_deal_view_get_deal (sd_window_get_deal_view (window)), ==, opened_deal);

  /* All read. */
  sd_notifications_page_mark_all_read (page);
  g_assert_cmpuint (sd_bell_button_get_unread (SD_BELL_BUTTON (bell)), ==, 0);
  g_assert_cmpint (sd_notification_count_unread (store, me), ==, 0);
  for (guint i = 0; i < sd_notifications_page_get_n_entries (page); i++)
    g_assert_false (sd_notifications_page_entry_is_unread (page, i));
}

static void
test_notifications (void)
{
  g_autofree char *path = sd_test_use_demo ("notifications.db", 300);

  sd_test_run_with_window (check_notifications, NULL);
}

/* The Automation view shows the rules of the board's pipeline, and the board follows a
 * pipeline chosen in the view. */
static void
check_follow (SdApplication *app,
              SdWindow      *window,
              gpointer       user_data)
{
  SdStore *store = sd_application_get_store (app);
  SdKanban *kanban = sd_window_get_kanban (window);
  SdAutomationView *view = SD_AUTOMATION_VIEW (sd_window_get_automation_view (window));
  SdPlaybookCopy *copy = sd_automation_view_get_copy (view);

  g_assert_nonnull (copy);
  g_assert_cmpstr (sd_playbook_get_code (sd_playbook_copy_get_playbook (copy)), ==, "body_repair");
  g_assert_cmpint (sd_board_get_pipeline (sd_kanban_get_board (kanban)), ==,
                   sd_store_find_pipeline (store, "body_repair"));

  /* Another pipeline on the board: the view follows. */
  g_assert_true (sd_automation_view_show_pipeline (view, "renovation"));
  g_assert_cmpint (sd_board_get_pipeline (sd_kanban_get_board (kanban)), ==,
                   sd_store_find_pipeline (store, "renovation"));
  copy = sd_automation_view_get_copy (view);
  g_assert_cmpstr (sd_playbook_get_code (sd_playbook_copy_get_playbook (copy)), ==, "renovation");
}

static void
test_follow (void)
{
  g_autofree char *path = sd_test_use_demo ("follow.db", 300);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, "last-pipeline", "body_repair");
  sd_test_run_with_window (check_follow, NULL);
}

static void
assert_text_shown (GtkWidget  *widget,
                   const char *text)
{
  g_autoptr(GString) shown = g_string_new (NULL);

  sd_test_collect_text (widget, shown);
  g_assert_nonnull (strstr (shown->str, text));
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt;
  gint64 n = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* R-AUTO-11 in the window: an open vote on a colleague's promotion is listed on the
 * Notifications page with For and Against; the vote that passes changes the colleague's
 * position. */
static void
check_vote (SdApplication *app,
            SdWindow      *window,
            gpointer       user_data)
{
  const char *path = user_data;
  SdStore *store = sd_application_get_store (app);
  SdNotificationsPage *page = SD_NOTIFICATIONS_PAGE (sd_window_get_notifications (window, NULL));
  g_autofree char *insert = NULL;
  gint64 voter, candidate, vote;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  voter = query_int (db, "SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id"
                         " WHERE r.code = 'sales_manager' AND u.active ORDER BY u.id LIMIT 1");
  candidate = query_int (db, "SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id"
                             " WHERE r.code = 'sales_manager' AND u.active ORDER BY u.id LIMIT 1 OFFSET 1");
  g_assert_cmpint (voter, >, 0);
  g_assert_cmpint (candidate, >, 0);
  /* As the rating would open it: one voter, more than 80 % needed. */
  insert = g_strdup_printf ("INSERT INTO automation_votes (rule, candidate_id, period, position,"
                            " question, voters, share, opened_at, closes_at) VALUES"
                            " ('b2b_sales/$rating', %" G_GINT64_FORMAT ", '2026-10', 'Head of the sales group',"
                            " 'Should your colleague head the sales group?', 1, 80, '2026-11-01T00:00:00Z',"
                            " 4102444800)", candidate);
  g_assert_cmpint (sqlite3_exec (db, insert, NULL, NULL, NULL), ==, SQLITE_OK);
  vote = sqlite3_last_insert_rowid (db);

  sd_window_set_actor (window, voter);
  sd_window_set_section (window, "notifications");
  sd_notifications_page_reload (page);
  g_assert_cmpuint (sd_notifications_page_get_n_votes (page), ==, 1);
  assert_text_shown (GTK_WIDGET (page), "Should your colleague head the sales group?");

  g_assert_true (sd_notifications_page_cast_vote (page, vote, TRUE));
  g_assert_cmpuint (sd_notifications_page_get_n_votes (page), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM automation_ballots WHERE yes"), ==, 1);
  insert = (g_free (insert), g_strdup_printf ("SELECT count(*) FROM users WHERE id = %" G_GINT64_FORMAT
                                              " AND position = 'Head of the sales group'", candidate));
  g_assert_cmpint (query_int (db, insert), ==, 1);
  /* A closed vote refuses, and says why. */
  g_assert_false (sd_notifications_page_cast_vote (page, vote, FALSE));
  sqlite3_close (db);
  (void) store;
}

static void
test_vote (void)
{
  g_autofree char *path = sd_test_use_demo ("vote.db", 300);

  sd_test_run_with_window (check_vote, path);
}

/* A window not in front sends new notifications to the desktop too. The test session has
 * no notification service, so the test is one: Notify answers with an id, CloseNotification
 * with nothing, as a desktop would. */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "</interface></node>";

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *object_path,
                       const char            *interface_name,
                       const char            *method_name,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  static guint32 next_id = 1;

  if (g_strcmp0 (method_name, "Notify") == 0)
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", next_id++));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
on_bus_acquired (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  GDBusNodeInfo *info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);

  g_dbus_connection_register_object (connection, "/org/freedesktop/Notifications",
                                     info->interfaces[0], &vtable, NULL, NULL, NULL);
  g_dbus_node_info_unref (info);
}

static void
on_name (GDBusConnection *connection,
         const char      *name,
         gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static guint
serve_notifications (void)
{
  gboolean done = FALSE;
  guint id = g_bus_own_name (G_BUS_TYPE_SESSION, "org.freedesktop.Notifications",
                             G_BUS_NAME_OWNER_FLAGS_NONE, on_bus_acquired, on_name, on_name,
                             &done, NULL);

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return id;
}

int
main (int   argc,
      char *argv[])
{
  guint notifications_owner;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("SDELKA_LOCALEDIR") ? g_getenv ("SDELKA_LOCALEDIR")
                                                                 : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  notifications_owner = serve_notifications ();

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("No display: run under xvfb-run (as .ci/test does)\n");
      return 77;
    }

  g_test_add_func ("/ui/kanban/columns", test_columns);
  g_test_add_func ("/ui/kanban/move", test_move);
  g_test_add_func ("/ui/kanban/keyboard-move", test_keyboard_move);
  g_test_add_func ("/ui/kanban/refused-move", test_refused);
  g_test_add_func ("/ui/kanban/guard-refused", test_guard);
  g_test_add_func ("/ui/kanban/deal-card", test_deal_card);
  g_test_add_func ("/ui/kanban/party-picker", test_party_picker);
  g_test_add_func ("/ui/kanban/new-deal", test_new_deal);
  g_test_add_func ("/ui/kanban/search", test_search);
  g_test_add_func ("/ui/kanban/russian", test_russian);
  g_test_add_func ("/ui/kanban/notifications-page", test_notifications);
  g_test_add_func ("/ui/kanban/automation-follows-board", test_follow);
  g_test_add_func ("/ui/kanban/promotion-vote", test_vote);
  status = g_test_run ();
  g_bus_unown_name (notifications_owner);
  sd_test_cleanup ();
  return status;
}
