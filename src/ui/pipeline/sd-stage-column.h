/* sd-stage-column.h: one stage of the board: its colour, count, sum and deal cards.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sd-records.h"
#include "sd-stage-model.h"

G_BEGIN_DECLS

#define SD_TYPE_STAGE_COLUMN (sd_stage_column_get_type ())
G_DECLARE_FINAL_TYPE (SdStageColumn, sd_stage_column, SD, STAGE_COLUMN, GtkWidget)

/* @may_move: whether the acting user may move deals from this stage (cards are dragged). */
GtkWidget    *sd_stage_column_new       (const SdStage *stage,
                                         SdStageModel  *model,
                                         const char    *currency,
                                         gboolean       may_move);
/* Gives the column's view its model. A view builds its cards whether or not it is on
 * screen, so the board calls this only for the columns that are, or are about to be,
 * scrolled into view. */
void          sd_stage_column_show_cards (SdStageColumn *self);
gint64        sd_stage_column_get_stage (SdStageColumn *self);
const char   *sd_stage_column_get_title (SdStageColumn *self);
SdStageModel *sd_stage_column_get_model (SdStageColumn *self);
GtkGridView  *sd_stage_column_get_cards_view (SdStageColumn *self);
/* Puts the keyboard focus on the card of @deal_id if it is in this column. */
gboolean      sd_stage_column_focus_deal (SdStageColumn *self,
                                          gint64         deal_id);

G_END_DECLS
