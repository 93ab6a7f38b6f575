/* sd-board.h: the kanban's reads: a pipeline's deals stage by stage, page by page,
 * narrowed by the board's filters.
 *
 * Deals are ordered newest first (by id), so where a deal stands in its column can be
 * counted from the index whether or not it is still there: a list model learns where to
 * insert or remove a row from one query, without holding the column.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

/* What a card on the board shows. */
typedef struct
{
  gint64    id;
  gint64    stage_id;
  char     *title;
  gint64    amount;          /* kopecks */
  char     *currency;
  char     *client;          /* the contact's name, or the company's title */
  gboolean  priority;        /* the contact is a priority client */
  char     *responsible;     /* "Иванова Анна", NULL if nobody */
  char     *next_contact_on; /* ISO date, NULL if none */
  gboolean  overdue;         /* the next contact date has passed */
  gboolean  unpaid;          /* a planned payment is past its date */
  gboolean  conflict;        /* a field of it waits for the user's choice after a sync */
} SdCard;

void sd_card_free (SdCard *card);

#define SD_TYPE_BOARD (sd_board_get_type ())
G_DECLARE_FINAL_TYPE (SdBoard, sd_board, SD, BOARD, GObject)

SdBoard   *sd_board_new            (SdStore     *store,
                                    gint64       pipeline_id);
SdStore   *sd_board_get_store      (SdBoard     *self);
gint64     sd_board_get_pipeline   (SdBoard     *self);
/* The pipeline's currency code, "RUB". */
const char *sd_board_get_currency  (SdBoard     *self);

/* Filters; each emits ::filter-changed. 0 / NULL lift them. */
void       sd_board_set_responsible (SdBoard    *self,
                                     gint64      user_id);
/* Deals whose custom field @field_id holds @value (a list option's code). */
void       sd_board_set_field      (SdBoard     *self,
                                    gint64       field_id,
                                    const char  *value);
/* Deals whose title, contact or company match @text in the search index. */
gboolean   sd_board_set_search     (SdBoard     *self,
                                    const char  *text,
                                    GError     **error);
gboolean   sd_board_is_filtered    (SdBoard     *self);

/* How many deals of @stage_id pass the filters, and the sum of their amounts. */
gboolean   sd_board_count          (SdBoard     *self,
                                    gint64       stage_id,
                                    guint       *out_count,
                                    gint64      *out_sum,
                                    GError     **error);
/* Up to @limit cards of @stage_id from @offset on, in board order. */
GPtrArray *sd_board_list           (SdBoard     *self,
                                    gint64       stage_id,
                                    guint        offset,
                                    guint        limit,
                                    GError     **error);
/* Where @deal_id stands (or would stand) in @stage_id's column, and whether it is there
 * now (in that stage and passing the filters). */
gboolean   sd_board_locate         (SdBoard     *self,
                                    gint64       stage_id,
                                    gint64       deal_id,
                                    guint       *out_position,
                                    gboolean    *out_present,
                                    GError     **error);

/* The stages a change of @deal_id may have touched: the one it is at now, and those its
 * last transaction moved it from and to (read from the journal). A column of another
 * stage gained and lost nothing. */
GArray    *sd_board_touched_stages (SdBoard     *self,
                                    gint64       deal_id,
                                    GError     **error);

/* The deal a row of @entity belongs to (a payment's, a responsible person's), @id for a
 * deal; 0 if none or if the row is gone. */
gint64     sd_board_deal_of        (SdBoard     *self,
                                    SdEntity     entity,
                                    gint64       id);

/* Open deals (stages meant to be worked on, not won or lost) by pipeline id. */
GHashTable *sd_store_count_open_deals (SdStore  *store,
                                       GError  **error);

G_END_DECLS
