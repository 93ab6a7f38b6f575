/* sd-deal-parts.h: the rows that belong to a deal, read for the deal card.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sd-store.h"

G_BEGIN_DECLS

/* One row of a deal's parts; which members are used depends on the list it came from. */
typedef struct
{
  gint64  id;
  gint64  ref;      /* responsibles: the user; fields: the custom field */
  gint64  amount;   /* payments, kopecks */
  char   *name;     /* responsibles: the person; answers: the question; payments: status;
                     * channels: the kind ("phone", "email") */
  char   *value;    /* responsibles: the part; fields: the value; answers: the answer;
                     * payments: the date; channels: the value */
} SdDealPart;

typedef enum
{
  SD_DEAL_PART_RESPONSIBLES,
  SD_DEAL_PART_FIELDS,
  SD_DEAL_PART_ANSWERS,
  SD_DEAL_PART_PAYMENTS,
  SD_DEAL_PART_CHANNELS,    /* of the deal's contact */
} SdDealPartKind;

void       sd_deal_part_free (SdDealPart *part);
GPtrArray *sd_store_list_deal_parts (SdStore        *store,
                                     SdDealPartKind  kind,
                                     gint64          deal_id,
                                     GError        **error);
/* The company's tax number, NULL if none. */
char      *sd_store_get_company_inn (SdStore        *store,
                                     gint64          company_id);

G_END_DECLS
