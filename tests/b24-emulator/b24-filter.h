/* b24-filter.h: list requests: filter, order, select and pages of 50.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-entity.h"

G_BEGIN_DECLS

#define B24_PAGE_SIZE 50

typedef struct {
  JsonArray *rows;
  gint64 total; /* 0 with start=-1 */
  gint64 next;  /* -1: no next page */
} B24Page;

void b24_filter_register_functions (sqlite3 *db);
/* Runs one page; @fixed_where (constant SQL) narrows every query of this method. */
void b24_list_query (B24Call         *call,
                     const B24Entity *entity,
                     JsonNode        *filter,
                     JsonNode        *order,
                     JsonNode        *select,
                     JsonNode        *start,
                     const char      *fixed_where,
                     B24Page         *page);
void b24_page_clear (B24Page *page);
/* The envelope of an old-style list: result array, total, next. */
void b24_page_to_reply (B24Page  *page,
                        B24Reply *reply);

G_END_DECLS
