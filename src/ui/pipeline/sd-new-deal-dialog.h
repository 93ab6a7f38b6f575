/* sd-new-deal-dialog.h: a new deal at the first stage the acting user may edit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sd-store.h"

G_BEGIN_DECLS

#define SD_TYPE_NEW_DEAL_DIALOG (sd_new_deal_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SdNewDealDialog, sd_new_deal_dialog, SD, NEW_DEAL_DIALOG, AdwWindow)

/* NULL, with the reason in @error, if the acting user may create deals at no stage of
 * @pipeline_id. */
GtkWidget *sd_new_deal_dialog_new (SdStore  *store,
                                   gint64    pipeline_id,
                                   GError  **error);

/* Makes the deal from what the dialog holds, in one transaction: the new deal's id, or 0
 * with the reason (the check's or the store's). What the Create button does. */
gint64     sd_new_deal_dialog_save (SdNewDealDialog  *self,
                                    GError          **error);

G_END_DECLS
