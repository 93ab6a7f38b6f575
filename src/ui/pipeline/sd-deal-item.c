/* sd-deal-item.c: a deal card of the board as a list model item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-deal-item.h"

struct _SdDealItem
{
  GObject  parent_instance;

  SdCard  *card;
};

G_DEFINE_FINAL_TYPE (SdDealItem, sd_deal_item, G_TYPE_OBJECT)

static void
sd_deal_item_finalize (GObject *object)
{
  SdDealItem *self = SD_DEAL_ITEM (object);

  g_clear_pointer (&self->card, sd_card_free);
  G_OBJECT_CLASS (sd_deal_item_parent_class)->finalize (object);
}

static void
sd_deal_item_class_init (SdDealItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sd_deal_item_finalize;
}

static void
sd_deal_item_init (SdDealItem *self)
{
}

SdDealItem *
sd_deal_item_new (SdCard *card)
{
  SdDealItem *self;

  g_return_val_if_fail (card != NULL, NULL);

  self = g_object_new (SD_TYPE_DEAL_ITEM, NULL);
  self->card = card;
  return self;
}

const SdCard *
sd_deal_item_get_card (SdDealItem *self)
{
  g_return_val_if_fail (SD_IS_DEAL_ITEM (self), NULL);

  return self->card;
}

gint64
sd_deal_item_get_id (SdDealItem *self)
{
  g_return_val_if_fail (SD_IS_DEAL_ITEM (self), 0);

  return self->card->id;
}
