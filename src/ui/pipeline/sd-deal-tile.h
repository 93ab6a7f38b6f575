/* sd-deal-tile.h: a deal's card on the board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-deal-item.h"

G_BEGIN_DECLS

#define SD_TYPE_DEAL_TILE (sd_deal_tile_get_type ())
G_DECLARE_FINAL_TYPE (SdDealTile, sd_deal_tile, SD, DEAL_TILE, GtkWidget)

GtkWidget  *sd_deal_tile_new      (void);
void        sd_deal_tile_set_item (SdDealTile *self,
                                   SdDealItem *item);
SdDealItem *sd_deal_tile_get_item (SdDealTile *self);

G_END_DECLS
