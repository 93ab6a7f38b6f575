/* sd-deal-item.h: a deal card of the board as a list model item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sd-board.h"

G_BEGIN_DECLS

#define SD_TYPE_DEAL_ITEM (sd_deal_item_get_type ())
G_DECLARE_FINAL_TYPE (SdDealItem, sd_deal_item, SD, DEAL_ITEM, GObject)

/* Takes @card. */
SdDealItem   *sd_deal_item_new      (SdCard     *card);
const SdCard *sd_deal_item_get_card (SdDealItem *self);
gint64        sd_deal_item_get_id   (SdDealItem *self);

G_END_DECLS
