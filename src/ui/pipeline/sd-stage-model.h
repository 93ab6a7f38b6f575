/* sd-stage-model.h: the deals of one stage of a board, read from the store page by page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sd-board.h"

G_BEGIN_DECLS

#define SD_TYPE_STAGE_MODEL (sd_stage_model_get_type ())
G_DECLARE_FINAL_TYPE (SdStageModel, sd_stage_model, SD, STAGE_MODEL, GObject)

SdStageModel *sd_stage_model_new       (SdBoard      *board,
                                        gint64        stage_id);
gint64        sd_stage_model_get_stage (SdStageModel *self);
/* The sum of the amounts of the deals in the model, in kopecks. */
gint64        sd_stage_model_get_sum   (SdStageModel *self);
/* Reads the count and every page again (another connection changed many rows). */
void          sd_stage_model_reload    (SdStageModel *self);
/* How many rows were read from the store so far (for tests of the paging). */
guint         sd_stage_model_get_rows_read (SdStageModel *self);

G_END_DECLS
