/* sd-kanban.c: a pipeline's board: a column per stage the acting user may see, filters
 * by responsible person and by a list field's value, and moves by drop or keyboard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-kanban"

#include "config.h"

#include "sd-kanban.h"

#include <glib/gi18n.h>

#include "sd-deal-tile.h"
#include "sd-records.h"
#include "sd-stage-column.h"

/* How many frames a moved card's new column may take to show it before the focus stops
 * waiting for it. */
#define FOCUS_FRAMES 10

struct _SdKanban
{
  GtkWidget      parent_instance;

  SdBoard       *board;
  SdAutomation  *automation;  /* guards and rules of a person's moves; NULL: none */
  GArray        *user_ids;    /* responsible drop-down row -> user id (0: everyone) */
  GPtrArray     *fields;      /* field drop-down row - 1 -> SdCustomField */
  gboolean       may_create;  /* the acting user may edit at some stage */
  guint          show_id;     /* the idle that fills the columns scrolled into view */
  gint64         focus_deal;  /* the deal a keyboard move should keep focused */
  guint          focus_frames;

  GtkDropDown   *responsible_dropdown;
  GtkDropDown   *field_dropdown;
  GtkDropDown   *value_dropdown;
  GtkLabel      *filtered_label;
  GtkScrolledWindow *scroller;
  GtkWidget     *columns_box;
};

enum {
  DEAL_ACTIVATED,
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdKanban, sd_kanban, GTK_TYPE_WIDGET)

static void
clear_columns (SdKanban *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->columns_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->columns_box), child);
}

gboolean
sd_kanban_move_deal (SdKanban  *self,
                     gint64     deal_id,
                     gint64     stage_id,
                     GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  SdStore *store;
  gboolean moved;

  g_return_val_if_fail (SD_IS_KANBAN (self), FALSE);
  g_return_val_if_fail (self->board != NULL, FALSE);

  store = sd_board_get_store (self->board);
  /* A person's move passes the target stage's guards first ("Attach at least one photo"):
   * refused, nothing is written and the card stays. */
  if (self->automation != NULL && sd_automation_get_store (self->automation) == store)
    moved = sd_automation_move_deal (self->automation, deal_id, stage_id, &local_error);
  else
    moved = sd_store_move_deal (store, deal_id, stage_id, &local_error);
  if (moved)
    return TRUE;
  g_signal_emit (self, signals[MESSAGE], 0, local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* How far beyond the visible part of the board columns get their cards, so that
 * scrolling shows them filled. */
#define SHOW_AHEAD 100

/* The cards of the columns in view (and a little beyond) are made. Before the board has a
 * width, the window's default width stands for it. */
static void
show_columns_in_view (SdKanban *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_hadjustment (self->scroller);
  double start = gtk_adjustment_get_value (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);
  int x = 0;

  if (page <= 0)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      int width = 0, height = 0;

      if (GTK_IS_WINDOW (root))
        gtk_window_get_default_size (GTK_WINDOW (root), &width, &height);
      page = width > 0 ? width : 1200;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (self->columns_box); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      graphene_rect_t bounds;
      int min_width;

      /* Laid out: where it is; not yet: where it will be. */
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      if (gtk_widget_compute_bounds (c, self->columns_box, &bounds) && bounds.size.width > 0)
        x = (int) bounds.origin.x;
      if (x <= start + page + SHOW_AHEAD && x + min_width >= start - SHOW_AHEAD)
        sd_stage_column_show_cards (SD_STAGE_COLUMN (c));
      x += min_width + gtk_box_get_spacing (GTK_BOX (self->columns_box));
    }
}

static gboolean
show_columns_cb (gpointer user_data)
{
  SdKanban *self = SD_KANBAN (user_data);

  self->show_id = 0;
  show_columns_in_view (self);
  return G_SOURCE_REMOVE;
}

/* Scrolling and resizing happen during size allocation, where no view may get new
 * children: the columns are filled just after. */
static void
queue_show_columns (SdKanban *self)
{
  if (self->show_id == 0)
    self->show_id = g_idle_add (show_columns_cb, self);
}

static gboolean
on_deal_dropped (SdStageColumn *column,
                 SdDealItem    *item,
                 SdKanban      *self)
{
  return sd_kanban_move_deal (self, sd_deal_item_get_id (item),
                              sd_stage_column_get_stage (column), NULL);
}

static void
on_deal_activated (SdStageColumn *column,
                   gint64         deal_id,
                   SdKanban      *self)
{
  g_signal_emit (self, signals[DEAL_ACTIVATED], 0, deal_id);
}

static void
update_filtered_label (SdKanban *self)
{
  guint total = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (self->columns_box); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    total += g_list_model_get_n_items (G_LIST_MODEL (sd_stage_column_get_model (SD_STAGE_COLUMN (c))));

  if (self->board != NULL && sd_board_is_filtered (self->board))
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u deal found",
                                                            "%u deals found", total), total);

      gtk_label_set_text (self->filtered_label, text);
    }
  else
    gtk_label_set_text (self->filtered_label, "");
}

/* A list field's values for the value drop-down: "Any value" first. */
static void
fill_values (SdKanban *self)
{
  guint selected = gtk_drop_down_get_selected (self->field_dropdown);
  g_autoptr(GtkStringList) values = gtk_string_list_new (NULL);

  gtk_string_list_append (values, _("Any value"));
  if (selected != GTK_INVALID_LIST_POSITION && selected > 0 && self->fields != NULL)
    {
      SdCustomField *field = self->fields->pdata[selected - 1];

      for (guint i = 0; i < field->options->len; i++)
        gtk_string_list_append (values, ((SdFieldOption *) field->options->pdata[i])->label);
    }
  gtk_drop_down_set_model (self->value_dropdown, G_LIST_MODEL (values));
  gtk_drop_down_set_selected (self->value_dropdown, 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->value_dropdown), selected > 0);
}

static void
apply_field_filter (SdKanban *self)
{
  guint field_row = gtk_drop_down_get_selected (self->field_dropdown);
  guint value_row = gtk_drop_down_get_selected (self->value_dropdown);
  SdCustomField *field;

  if (self->board == NULL)
    return;
  if (self->fields == NULL || field_row == 0 || field_row == GTK_INVALID_LIST_POSITION
      || value_row == 0 || value_row == GTK_INVALID_LIST_POSITION)
    {
      sd_board_set_field (self->board, 0, NULL);
      return;
    }
  field = self->fields->pdata[field_row - 1];
  if (value_row - 1 < field->options->len)
    sd_board_set_field (self->board, field->id,
                        ((SdFieldOption *) field->options->pdata[value_row - 1])->code);
}

static void
on_field_selected (SdKanban *self)
{
  fill_values (self);
  apply_field_filter (self);
}

static void
on_responsible_selected (SdKanban *self)
{
  guint row = gtk_drop_down_get_selected (self->responsible_dropdown);

  if (self->board != NULL && self->user_ids != NULL && row < self->user_ids->len)
    sd_board_set_responsible (self->board, g_array_index (self->user_ids, gint64, row));
}

static void
fill_filters (SdKanban *self,
              SdStore  *store,
              gint64    pipeline_id)
{
  g_autoptr(GPtrArray) users = sd_store_list_users (store, NULL);
  g_autoptr(GPtrArray) fields = sd_store_list_custom_fields (store, pipeline_id, NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) field_names = gtk_string_list_new (NULL);
  gint64 everyone = 0;

  g_clear_pointer (&self->user_ids, g_array_unref);
  self->user_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_string_list_append (names, _("Everyone"));
  g_array_append_val (self->user_ids, everyone);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      SdUser *user = users->pdata[i];

      gtk_string_list_append (names, user->full_name);
      g_array_append_val (self->user_ids, user->id);
    }

  g_clear_pointer (&self->fields, g_ptr_array_unref);
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_custom_field_free);
  gtk_string_list_append (field_names, _("Any field"));
  for (guint i = 0; fields != NULL && i < fields->len;)
    {
      SdCustomField *field = fields->pdata[i];

      if (g_strcmp0 (field->kind, "list") != 0)
        {
          i++;
          continue;
        }
      gtk_string_list_append (field_names, field->name);
      g_ptr_array_add (self->fields, g_ptr_array_steal_index (fields, i));
    }

  /* Filled before the handlers connect back to the board, so filling does not filter. */
  g_signal_handlers_block_by_func (self->responsible_dropdown, on_responsible_selected, self);
  g_signal_handlers_block_by_func (self->field_dropdown, on_field_selected, self);
  g_signal_handlers_block_by_func (self->value_dropdown, apply_field_filter, self);
  gtk_drop_down_set_model (self->responsible_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_model (self->field_dropdown, G_LIST_MODEL (field_names));
  fill_values (self);
  g_signal_handlers_unblock_by_func (self->responsible_dropdown, on_responsible_selected, self);
  g_signal_handlers_unblock_by_func (self->field_dropdown, on_field_selected, self);
  g_signal_handlers_unblock_by_func (self->value_dropdown, apply_field_filter, self);
}

gboolean
sd_kanban_load (SdKanban  *self,
                SdStore   *store,
                gint64     pipeline_id,
                GError   **error)
{
  g_autoptr(GPtrArray) stages = NULL;
  gint64 actor;

  g_return_val_if_fail (SD_IS_KANBAN (self), FALSE);
  g_return_val_if_fail (SD_IS_STORE (store), FALSE);

  stages = sd_store_list_stages (store, pipeline_id, error);
  if (stages == NULL)
    return FALSE;

  clear_columns (self);
  if (self->board != NULL)
    g_signal_handlers_disconnect_by_data (self->board, self);
  g_clear_object (&self->board);
  self->board = sd_board_new (store, pipeline_id);
  fill_filters (self, store, pipeline_id);

  actor = sd_store_get_actor (store);
  self->may_create = FALSE;
  for (guint i = 0; i < stages->len; i++)
    {
      SdStage *stage = stages->pdata[i];
      SdAccessAction access = sd_store_get_access (store, actor, stage->id);
      g_autoptr(SdStageModel) model = NULL;
      GtkWidget *column;

      if (access & SD_ACCESS_EDIT)
        self->may_create = TRUE;
      /* What the role may not see is not shown; the store would refuse it anyway. */
      if (!(access & SD_ACCESS_VIEW))
        continue;
      model = sd_stage_model_new (self->board, stage->id);
      column = sd_stage_column_new (stage, model, sd_board_get_currency (self->board),
                                    (access & SD_ACCESS_MOVE) != 0);
      g_signal_connect_object (column, "deal-dropped", G_CALLBACK (on_deal_dropped), self, 0);
      g_signal_connect_object (column, "deal-activated", G_CALLBACK (on_deal_activated),
                               self, 0);
      g_signal_connect_object (model, "items-changed", G_CALLBACK (update_filtered_label),
                               self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
      gtk_box_append (GTK_BOX (self->columns_box), column);
    }
  update_filtered_label (self);
  show_columns_in_view (self);
  return TRUE;
}

gboolean
sd_kanban_get_may_create (SdKanban *self)
{
  g_return_val_if_fail (SD_IS_KANBAN (self), FALSE);

  return self->may_create;
}

SdBoard *
sd_kanban_get_board (SdKanban *self)
{
  g_return_val_if_fail (SD_IS_KANBAN (self), NULL);

  return self->board;
}

GPtrArray *
sd_kanban_get_columns (SdKanban *self)
{
  GPtrArray *columns = g_ptr_array_new ();

  g_return_val_if_fail (SD_IS_KANBAN (self), columns);

  for (GtkWidget *c = gtk_widget_get_first_child (self->columns_box); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    g_ptr_array_add (columns, c);
  return columns;
}

typedef struct
{
  GtkAdjustment *adjustment;
  double         value;
} ScrollPlace;

static gboolean
restore_scroll_cb (gpointer data)
{
  GPtrArray *places = data;

  for (guint i = 0; i < places->len; i++)
    {
      ScrollPlace *place = places->pdata[i];

      gtk_adjustment_set_value (place->adjustment, place->value);
    }
  return G_SOURCE_REMOVE;
}

static void
scroll_place_free (ScrollPlace *place)
{
  g_object_unref (place->adjustment);
  g_free (place);
}

void
sd_kanban_reload (SdKanban *self)
{
  g_autoptr(GPtrArray) places = g_ptr_array_new_with_free_func ((GDestroyNotify) scroll_place_free);

  g_return_if_fail (SD_IS_KANBAN (self));

  for (GtkWidget *c = gtk_widget_get_first_child (self->columns_box); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkAdjustment *adjustment =
        gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (sd_stage_column_get_cards_view (SD_STAGE_COLUMN (c))));
      ScrollPlace *place = g_new0 (ScrollPlace, 1);

      /* Where the user had scrolled each column stays where it was. */
      place->adjustment = g_object_ref (adjustment);
      place->value = gtk_adjustment_get_value (adjustment);
      g_ptr_array_add (places, place);
      sd_stage_model_reload (sd_stage_column_get_model (SD_STAGE_COLUMN (c)));
    }
  restore_scroll_cb (places);
  /* And once more after the views have laid the new items out. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, restore_scroll_cb, g_steal_pointer (&places),
                   (GDestroyNotify) g_ptr_array_unref);
}

void
sd_kanban_set_search (SdKanban   *self,
                      const char *text)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SD_IS_KANBAN (self));

  if (self->board != NULL && !sd_board_set_search (self->board, text, &error))
    g_signal_emit (self, signals[MESSAGE], 0, error->message);
}

static gboolean
focus_moved_deal_cb (GtkWidget     *widget,
                     GdkFrameClock *clock,
                     gpointer       user_data)
{
  SdKanban *self = SD_KANBAN (user_data);

  if (sd_stage_column_focus_deal (SD_STAGE_COLUMN (widget), self->focus_deal)
      || ++self->focus_frames >= FOCUS_FRAMES)
    return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

/* kanban.move-left / kanban.move-right (Alt+Left / Alt+Right): the focused card to the
 * column beside its own. */
static void
move_focused_deal (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SdKanban *self = SD_KANBAN (widget);
  int direction = g_str_equal (action_name, "kanban.move-left") ? -1 : 1;
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  GtkWidget *tile = NULL;
  GtkWidget *column, *target;
  SdDealItem *item;
  guint position;

  if (focus == NULL || self->board == NULL)
    return;
  /* The focus is on the list item around the card, or inside the card. */
  if (SD_IS_DEAL_TILE (gtk_widget_get_first_child (focus)))
    tile = gtk_widget_get_first_child (focus);
  else
    tile = gtk_widget_get_ancestor (focus, SD_TYPE_DEAL_TILE);
  if (tile == NULL || (item = sd_deal_tile_get_item (SD_DEAL_TILE (tile))) == NULL)
    return;
  column = gtk_widget_get_ancestor (tile, SD_TYPE_STAGE_COLUMN);
  target = direction < 0 ? gtk_widget_get_prev_sibling (column)
                         : gtk_widget_get_next_sibling (column);
  if (target == NULL)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  self->focus_deal = sd_deal_item_get_id (item);
  if (!sd_kanban_move_deal (self, self->focus_deal,
                            sd_stage_column_get_stage (SD_STAGE_COLUMN (target)), NULL))
    return;

  if (sd_board_locate (self->board, sd_stage_column_get_stage (SD_STAGE_COLUMN (target)),
                       self->focus_deal, &position, NULL, NULL))
    gtk_widget_activate_action (GTK_WIDGET (sd_stage_column_get_cards_view (SD_STAGE_COLUMN (target))),
                                "list.scroll-to-item", "u", position);
  self->focus_frames = 0;
  gtk_widget_add_tick_callback (target, focus_moved_deal_cb, self, NULL);
}

static void
sd_kanban_dispose (GObject *object)
{
  SdKanban *self = SD_KANBAN (object);
  GtkWidget *child;

  g_clear_handle_id (&self->show_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SD_TYPE_KANBAN);
  /* The template's root box is not a bound child, so it is not unparented for us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->board != NULL)
    g_signal_handlers_disconnect_by_data (self->board, self);
  g_clear_object (&self->board);
  g_clear_object (&self->automation);
  g_clear_pointer (&self->user_ids, g_array_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  G_OBJECT_CLASS (sd_kanban_parent_class)->dispose (object);
}

static void
sd_kanban_class_init (SdKanbanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_kanban_dispose;

  signals[DEAL_ACTIVATED] = g_signal_new ("deal-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * SdKanban::message:
   * @text: what went wrong, for people
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/pipeline/sd-kanban.ui");
  gtk_widget_class_bind_template_child (widget_class, SdKanban, responsible_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SdKanban, field_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SdKanban, value_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SdKanban, filtered_label);
  gtk_widget_class_bind_template_child (widget_class, SdKanban, scroller);
  gtk_widget_class_bind_template_child (widget_class, SdKanban, columns_box);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "kanban.move-left", NULL, move_focused_deal);
  gtk_widget_class_install_action (widget_class, "kanban.move-right", NULL, move_focused_deal);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "kanban.move-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK,
                                       "kanban.move-right", NULL);
}

static void
sd_kanban_init (SdKanban *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->responsible_dropdown, "notify::selected",
                            G_CALLBACK (on_responsible_selected), self);
  g_signal_connect_swapped (self->field_dropdown, "notify::selected",
                            G_CALLBACK (on_field_selected), self);
  g_signal_connect_swapped (self->value_dropdown, "notify::selected",
                            G_CALLBACK (apply_field_filter), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_hadjustment (self->scroller), "value-changed",
                            G_CALLBACK (queue_show_columns), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_hadjustment (self->scroller), "changed",
                            G_CALLBACK (queue_show_columns), self);
}

GtkWidget *
sd_kanban_new (void)
{
  return g_object_new (SD_TYPE_KANBAN, NULL);
}

void
sd_kanban_set_automation (SdKanban     *self,
                          SdAutomation *automation)
{
  g_return_if_fail (SD_IS_KANBAN (self));
  g_return_if_fail (automation == NULL || SD_IS_AUTOMATION (automation));

  g_set_object (&self->automation, automation);
}
