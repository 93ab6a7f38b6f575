/* sd-stage-column.c: one stage of the board: its colour, count, sum and deal cards.
 *
 * The cards are a one-column GtkGridView over the stage's paged model, so only the cards
 * around the visible ones are read and built: GTK 4.8's GtkListView keeps two hundred
 * rows alive in every list whatever its height, a one-column grid some thirty; on a board
 * of ten columns that is two thousand cards against three hundred. A card is dragged as its SdDealItem; dropping one on a column asks the
 * board (::deal-dropped) to move it, and a refused drop lets GTK send the card back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-stage-column"

#include "config.h"

#include "sd-stage-column.h"

#include <glib/gi18n.h>

#include "sd-deal-tile.h"
#include "sd-money.h"

struct _SdStageColumn
{
  GtkWidget       parent_instance;

  gint64          stage_id;
  char           *title;
  char           *currency;
  GdkRGBA         color;
  gboolean        may_move;
  SdStageModel   *model;

  GtkDrawingArea *stripe;
  GtkLabel       *title_label;
  GtkLabel       *count_label;
  GtkLabel       *sum_label;
  GtkGridView    *cards_view;
};

enum {
  DEAL_DROPPED,
  DEAL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdStageColumn, sd_stage_column, GTK_TYPE_WIDGET)

static void
draw_stripe (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  SdStageColumn *self = SD_STAGE_COLUMN (user_data);

  gdk_cairo_set_source_rgba (cr, &self->color);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

static void
update_totals (SdStageColumn *self)
{
  g_autofree char *count = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *description = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  count = g_strdup_printf ("%u", n);
  sum = sd_money_format (sd_stage_model_get_sum (self->model), self->currency);
  gtk_label_set_text (self->count_label, count);
  gtk_label_set_text (self->sum_label, sum);
  /* TRANSLATORS: a board column for screen readers: stage, number of deals, their sum */
  description = g_strdup_printf (ngettext ("%s: %u deal, %s", "%s: %u deals, %s", n),
                                 self->title, n, sum);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cards_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
}

static GdkContentProvider *
on_drag_prepare (GtkDragSource *source,
                 double         x,
                 double         y,
                 gpointer       user_data)
{
  GtkWidget *tile = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  SdDealItem *item = sd_deal_tile_get_item (SD_DEAL_TILE (tile));

  if (item == NULL)
    return NULL;
  return gdk_content_provider_new_typed (SD_TYPE_DEAL_ITEM, item);
}

static void
on_drag_begin (GtkDragSource *source,
               GdkDrag       *drag,
               gpointer       user_data)
{
  GtkWidget *tile = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  g_autoptr(GdkPaintable) icon = gtk_widget_paintable_new (tile);

  gtk_drag_source_set_icon (source, icon, 20, 20);
}

static void
setup_tile (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  SdStageColumn *self = SD_STAGE_COLUMN (user_data);
  GtkWidget *tile = sd_deal_tile_new ();

  if (self->may_move)
    {
      GtkDragSource *source = gtk_drag_source_new ();

      gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
      g_signal_connect (source, "prepare", G_CALLBACK (on_drag_prepare), NULL);
      g_signal_connect (source, "drag-begin", G_CALLBACK (on_drag_begin), NULL);
      gtk_widget_add_controller (tile, GTK_EVENT_CONTROLLER (source));
    }
  gtk_list_item_set_child (list_item, tile);
}

static void
bind_tile (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  SdDealItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *tile = gtk_list_item_get_child (list_item);

  sd_deal_tile_set_item (SD_DEAL_TILE (tile), item);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  SdStageColumn *self = SD_STAGE_COLUMN (user_data);
  SdDealItem *item = g_value_get_object (value);
  gboolean moved = FALSE;

  if (item == NULL || sd_deal_item_get_card (item)->stage_id == self->stage_id)
    return FALSE;
  g_signal_emit (self, signals[DEAL_DROPPED], 0, item, &moved);
  return moved;
}

static void
on_activate (GtkGridView *cards_view,
             guint        position,
             gpointer     user_data)
{
  SdStageColumn *self = SD_STAGE_COLUMN (user_data);
  g_autoptr(SdDealItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  if (item != NULL)
    g_signal_emit (self, signals[DEAL_ACTIVATED], 0, sd_deal_item_get_id (item));
}

static void
sd_stage_column_dispose (GObject *object)
{
  SdStageColumn *self = SD_STAGE_COLUMN (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), SD_TYPE_STAGE_COLUMN);
  /* The template's root box is not a bound child, so it is not unparented for us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (sd_stage_column_parent_class)->dispose (object);
}

static void
sd_stage_column_finalize (GObject *object)
{
  SdStageColumn *self = SD_STAGE_COLUMN (object);

  g_free (self->title);
  g_free (self->currency);
  G_OBJECT_CLASS (sd_stage_column_parent_class)->finalize (object);
}

static void
sd_stage_column_class_init (SdStageColumnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_stage_column_dispose;
  object_class->finalize = sd_stage_column_finalize;

  /**
   * SdStageColumn::deal-dropped:
   * @item: the deal dropped on the column
   *
   * Returns: whether the deal was moved here
   */
  signals[DEAL_DROPPED] = g_signal_new ("deal-dropped", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0,
                                        g_signal_accumulator_true_handled, NULL, NULL,
                                        G_TYPE_BOOLEAN, 1, SD_TYPE_DEAL_ITEM);
  signals[DEAL_ACTIVATED] = g_signal_new ("deal-activated", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/pipeline/sd-stage-column.ui");
  gtk_widget_class_bind_template_child (widget_class, SdStageColumn, stripe);
  gtk_widget_class_bind_template_child (widget_class, SdStageColumn, title_label);
  gtk_widget_class_bind_template_child (widget_class, SdStageColumn, count_label);
  gtk_widget_class_bind_template_child (widget_class, SdStageColumn, sum_label);
  gtk_widget_class_bind_template_child (widget_class, SdStageColumn, cards_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "stagecolumn");
}

static void
sd_stage_column_init (SdStageColumn *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sd_stage_column_new (const SdStage *stage,
                     SdStageModel  *model,
                     const char    *currency,
                     gboolean       may_move)
{
  SdStageColumn *self;
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkDropTarget *target;

  g_return_val_if_fail (stage != NULL, NULL);
  g_return_val_if_fail (SD_IS_STAGE_MODEL (model), NULL);

  self = g_object_new (SD_TYPE_STAGE_COLUMN, NULL);
  self->stage_id = stage->id;
  self->title = g_strdup (stage->name);
  self->currency = g_strdup (currency);
  self->may_move = may_move;
  self->model = g_object_ref (model);
  if (!gdk_rgba_parse (&self->color, stage->color))
    gdk_rgba_parse (&self->color, "#3584e4");

  gtk_drawing_area_set_draw_func (self->stripe, draw_stripe, self, NULL);
  gtk_label_set_text (self->title_label, stage->name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), stage->name);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_tile), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_tile), self);
  gtk_grid_view_set_factory (self->cards_view, factory);
  g_signal_connect (self->cards_view, "activate", G_CALLBACK (on_activate), self);

  target = gtk_drop_target_new (SD_TYPE_DEAL_ITEM, GDK_ACTION_MOVE);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  g_signal_connect_object (model, "items-changed", G_CALLBACK (update_totals), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (model, "notify::sum", G_CALLBACK (update_totals), self,
                           G_CONNECT_SWAPPED);
  update_totals (self);
  return GTK_WIDGET (self);
}

void
sd_stage_column_show_cards (SdStageColumn *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (SD_IS_STAGE_COLUMN (self));

  if (gtk_grid_view_get_model (self->cards_view) != NULL)
    return;
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  gtk_grid_view_set_model (self->cards_view, GTK_SELECTION_MODEL (selection));
}

gint64
sd_stage_column_get_stage (SdStageColumn *self)
{
  g_return_val_if_fail (SD_IS_STAGE_COLUMN (self), 0);

  return self->stage_id;
}

const char *
sd_stage_column_get_title (SdStageColumn *self)
{
  g_return_val_if_fail (SD_IS_STAGE_COLUMN (self), NULL);

  return self->title;
}

SdStageModel *
sd_stage_column_get_model (SdStageColumn *self)
{
  g_return_val_if_fail (SD_IS_STAGE_COLUMN (self), NULL);

  return self->model;
}

GtkGridView *
sd_stage_column_get_cards_view (SdStageColumn *self)
{
  g_return_val_if_fail (SD_IS_STAGE_COLUMN (self), NULL);

  return self->cards_view;
}

static GtkWidget *
find_tile (GtkWidget *widget,
           gint64     deal_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (SD_IS_DEAL_TILE (child))
        {
          SdDealItem *item = sd_deal_tile_get_item (SD_DEAL_TILE (child));

          if (item != NULL && sd_deal_item_get_id (item) == deal_id)
            return child;
          continue;
        }
      if ((found = find_tile (child, deal_id)) != NULL)
        return found;
    }
  return NULL;
}

gboolean
sd_stage_column_focus_deal (SdStageColumn *self,
                            gint64         deal_id)
{
  GtkWidget *tile;

  g_return_val_if_fail (SD_IS_STAGE_COLUMN (self), FALSE);

  /* The list item around the card is what takes the focus. */
  tile = find_tile (GTK_WIDGET (self->cards_view), deal_id);
  return tile != NULL && gtk_widget_grab_focus (gtk_widget_get_parent (tile));
}
