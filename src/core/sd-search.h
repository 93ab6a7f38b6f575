/* sd-search.h: full-text search over deals, contacts and companies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

typedef struct
{
  SdEntity entity;  /* SD_ENTITY_DEAL, _CONTACT or _COMPANY */
  gint64   id;
} SdSearchHit;

/* The FTS5 expression for what a person typed: every word a prefix, all required; a
 * phone number as its digits. NULL when there is nothing to look for. */
char   *sd_search_build_match (const char *text);

/* Up to @limit hits, the most recently created rows first. */
GArray *sd_store_search       (SdStore     *self,
                               const char  *text,
                               guint        limit,
                               GError     **error);

/* Deals whose title, contact or company match, in id order (the board's filter). */
GArray *sd_store_search_deals (SdStore     *self,
                               const char  *text,
                               gint64       pipeline_id,
                               guint        limit,
                               GError     **error);

G_END_DECLS
