/* sd-deal-view.h: a deal's card: its fields, client, people, payments and timeline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-store.h"

G_BEGIN_DECLS

#define SD_TYPE_DEAL_VIEW (sd_deal_view_get_type ())
G_DECLARE_FINAL_TYPE (SdDealView, sd_deal_view, SD, DEAL_VIEW, GtkWidget)

GtkWidget *sd_deal_view_new      (void);
/* Shows @deal_id of @store; FALSE (and nothing shown) if it cannot be read. */
gboolean   sd_deal_view_load     (SdDealView *self,
                                  SdStore    *store,
                                  gint64      deal_id,
                                  GError    **error);
gint64     sd_deal_view_get_deal (SdDealView *self);
/* Reads the deal again (another connection changed it); rows being edited keep their text. */
void       sd_deal_view_refresh  (SdDealView *self);
/* The section of the deal's open sync conflicts, NULL when there is none. */
GtkWidget *sd_deal_view_get_conflicts (SdDealView *self);

/* Validates @text for the deal column @field ("title", "amount", "next_contact_on",
 * "measurement_at", ...) and saves it; what the store or the check refuses is shown on the
 * row and left in it. The path the rows' apply buttons take. */
gboolean   sd_deal_view_save     (SdDealView *self,
                                  const char *field,
                                  const char *text,
                                  GError    **error);
/* Makes @id (a contact or a company, by @entity) the deal's client. */
gboolean   sd_deal_view_set_party (SdDealView *self,
                                   SdEntity    entity,
                                   gint64      id,
                                   GError    **error);
/* Puts back the values the last edit made in this card replaced. */
gboolean   sd_deal_view_undo     (SdDealView *self,
                                  GError    **error);
/* The timeline's lines, newest first (transfer container, strings owned by the view). */
GPtrArray *sd_deal_view_get_timeline (SdDealView *self);

G_END_DECLS
