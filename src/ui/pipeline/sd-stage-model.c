/* sd-stage-model.c: the deals of one stage of a board, read from the store page by page.
 *
 * The model knows its length from one COUNT query and reads a page of cards when the
 * view asks for an item in it, keeping the last few pages. When the store says a deal
 * changed, the model asks the board where that deal stands in the column and whether it
 * is there now; with the count before and after, that tells an insertion, a removal or
 * an update at one position, and only that is announced.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-stage-model"

#include "sd-stage-model.h"

#include "sd-deal-item.h"

/* One page covers the cards a one-column GtkGridView keeps around the visible ones (30
 * rows and 3 more), so a column starts with one query; every row read costs the pages of
 * the deal, its client and its people in SQLite's cache. */
#define PAGE_SIZE 36
#define MAX_PAGES 6

struct _SdStageModel
{
  GObject     parent_instance;

  SdBoard    *board;
  gint64      stage_id;
  guint       count;
  gint64      sum;
  guint       rows_read;

  GHashTable *pages;      /* page number -> GPtrArray of SdDealItem */
  GQueue      page_order; /* page numbers, the oldest read first */
};

enum {
  PROP_0,
  PROP_COUNT,
  PROP_SUM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SdStageModel, sd_stage_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return SD_TYPE_DEAL_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return SD_STAGE_MODEL (model)->count;
}

static GPtrArray *
read_page (SdStageModel *self,
           guint         page)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  GPtrArray *items;

  cards = sd_board_list (self->board, self->stage_id, page * PAGE_SIZE, PAGE_SIZE, &error);
  if (cards == NULL)
    {
      g_warning ("Cannot read the deals of stage %" G_GINT64_FORMAT ": %s",
                 self->stage_id, error->message);
      return NULL;
    }
  self->rows_read += cards->len;

  /* The items take the cards over. */
  items = g_ptr_array_new_full (cards->len, g_object_unref);
  g_ptr_array_set_free_func (cards, NULL);
  for (guint i = 0; i < cards->len; i++)
    g_ptr_array_add (items, sd_deal_item_new (cards->pdata[i]));

  if (g_queue_get_length (&self->page_order) >= MAX_PAGES)
    g_hash_table_remove (self->pages, g_queue_pop_head (&self->page_order));
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), items);
  g_queue_push_tail (&self->page_order, GUINT_TO_POINTER (page));
  return items;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SdStageModel *self = SD_STAGE_MODEL (model);
  guint page = position / PAGE_SIZE;
  GPtrArray *items;

  if (position >= self->count)
    return NULL;
  items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (items == NULL)
    items = read_page (self, page);
  if (items == NULL || position % PAGE_SIZE >= items->len)
    return NULL;
  return g_object_ref (items->pdata[position % PAGE_SIZE]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
forget_pages (SdStageModel *self)
{
  g_hash_table_remove_all (self->pages);
  g_queue_clear (&self->page_order);
}

/* Reads the count and sum again; FALSE if the store could not say. */
static gboolean
recount (SdStageModel *self)
{
  g_autoptr(GError) error = NULL;
  guint count;
  gint64 sum;

  if (!sd_board_count (self->board, self->stage_id, &count, &sum, &error))
    {
      g_warning ("Cannot count the deals of stage %" G_GINT64_FORMAT ": %s",
                 self->stage_id, error->message);
      return FALSE;
    }
  self->count = count;
  if (self->sum != sum)
    {
      self->sum = sum;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUM]);
    }
  return TRUE;
}

static void
reload (SdStageModel *self)
{
  guint old_count = self->count;

  forget_pages (self);
  if (!recount (self))
    self->count = 0;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_count, self->count);
  if (old_count != self->count)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

static gboolean
touches_stage (SdStageModel *self,
               gint64        deal_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) stages = sd_board_touched_stages (self->board, deal_id, &error);

  if (stages == NULL)
    {
      g_warning ("Cannot tell where deal %" G_GINT64_FORMAT " went: %s", deal_id, error->message);
      return TRUE;
    }
  for (guint i = 0; i < stages->len; i++)
    if (g_array_index (stages, gint64, i) == self->stage_id)
      return TRUE;
  return FALSE;
}

static void
on_store_changed (SdStageModel *self,
                  guint         entity,
                  gint64        id,
                  guint         op)
{
  g_autoptr(GError) error = NULL;
  guint old_count = self->count;
  guint position;
  gboolean present;

  /* A card shows some of a deal's rows too: its payments (the unpaid badge), its people
   * (the avatar, the responsible filter), its fields (the field filter). */
  if (entity != SD_ENTITY_DEAL
      && (id = sd_board_deal_of (self->board, (SdEntity) entity, id)) == 0)
    return;
  /* Counting a long column is what a change costs: only the columns the deal was moved
   * from or to, or is in, count again. */
  if (!touches_stage (self, id))
    return;
  if (!recount (self))
    return;
  if (!sd_board_locate (self->board, self->stage_id, id, &position, &present, &error))
    {
      g_warning ("Cannot find deal %" G_GINT64_FORMAT ": %s", id, error->message);
      reload (self);
      return;
    }

  if (present && self->count == old_count + 1)
    {
      forget_pages (self);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }
  else if (!present && self->count + 1 == old_count)
    {
      forget_pages (self);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
  else if (present && self->count == old_count)
    {
      forget_pages (self);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
  else if (self->count != old_count)
    {
      /* More than this deal changed here (one transaction moved several): start over. */
      self->count = old_count;
      reload (self);
      return;
    }
  if (self->count != old_count)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

static void
sd_stage_model_dispose (GObject *object)
{
  SdStageModel *self = SD_STAGE_MODEL (object);

  g_clear_object (&self->board);
  G_OBJECT_CLASS (sd_stage_model_parent_class)->dispose (object);
}

static void
sd_stage_model_finalize (GObject *object)
{
  SdStageModel *self = SD_STAGE_MODEL (object);

  g_queue_clear (&self->page_order);
  g_hash_table_unref (self->pages);
  G_OBJECT_CLASS (sd_stage_model_parent_class)->finalize (object);
}

static void
sd_stage_model_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SdStageModel *self = SD_STAGE_MODEL (object);

  switch (prop_id)
    {
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;

    case PROP_SUM:
      g_value_set_int64 (value, self->sum);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sd_stage_model_class_init (SdStageModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sd_stage_model_dispose;
  object_class->finalize = sd_stage_model_finalize;
  object_class->get_property = sd_stage_model_get_property;

  properties[PROP_COUNT] =
    g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUM] =
    g_param_spec_int64 ("sum", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sd_stage_model_init (SdStageModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->page_order);
}

SdStageModel *
sd_stage_model_new (SdBoard *board,
                    gint64   stage_id)
{
  SdStageModel *self;

  g_return_val_if_fail (SD_IS_BOARD (board), NULL);

  self = g_object_new (SD_TYPE_STAGE_MODEL, NULL);
  self->board = g_object_ref (board);
  self->stage_id = stage_id;
  if (!recount (self))
    self->count = 0;
  g_signal_connect_object (sd_board_get_store (board), "changed",
                           G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (board, "filter-changed",
                           G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
  return self;
}

gint64
sd_stage_model_get_stage (SdStageModel *self)
{
  g_return_val_if_fail (SD_IS_STAGE_MODEL (self), 0);

  return self->stage_id;
}

gint64
sd_stage_model_get_sum (SdStageModel *self)
{
  g_return_val_if_fail (SD_IS_STAGE_MODEL (self), 0);

  return self->sum;
}

void
sd_stage_model_reload (SdStageModel *self)
{
  g_return_if_fail (SD_IS_STAGE_MODEL (self));

  reload (self);
}

guint
sd_stage_model_get_rows_read (SdStageModel *self)
{
  g_return_val_if_fail (SD_IS_STAGE_MODEL (self), 0);

  return self->rows_read;
}
