/* sd-kanban.h: a pipeline's board: a column per stage the acting user may see.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-automation.h"
#include "sd-board.h"

G_BEGIN_DECLS

#define SD_TYPE_KANBAN (sd_kanban_get_type ())
G_DECLARE_FINAL_TYPE (SdKanban, sd_kanban, SD, KANBAN, GtkWidget)

GtkWidget *sd_kanban_new          (void);
/* Builds the columns of @pipeline_id for the store's acting user. */
gboolean   sd_kanban_load         (SdKanban   *self,
                                   SdStore    *store,
                                   gint64      pipeline_id,
                                   GError    **error);
SdBoard   *sd_kanban_get_board    (SdKanban   *self);
/* Whether the acting user may make deals here (may edit at some stage). */
gboolean   sd_kanban_get_may_create (SdKanban *self);
/* The columns, left to right (transfer container). */
GPtrArray *sd_kanban_get_columns  (SdKanban   *self);
/* Reads every column again, keeping where each was scrolled (a sync changed many rows). */
void       sd_kanban_reload       (SdKanban   *self);
void       sd_kanban_set_search   (SdKanban   *self,
                                   const char *text);

/* The engine whose guards a person's moves pass and whose rules they start; without one
 * (no playbooks) moves go straight to the store. */
void       sd_kanban_set_automation (SdKanban     *self,
                                     SdAutomation *automation);

/* Moves a deal to a stage: what a drop and the keyboard do, through the engine when there
 * is one (sd_automation_move_deal: the stage's guards, then the move, then its rules). On
 * failure the reason is also shown (::message): the access refusal, or exactly what the
 * guards miss ("Attach at least one photo"); nothing is written then. */
gboolean   sd_kanban_move_deal    (SdKanban   *self,
                                   gint64      deal_id,
                                   gint64      stage_id,
                                   GError    **error);

G_END_DECLS
