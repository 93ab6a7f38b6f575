/* sd-deal-tile.c: a deal's card on the board: title, client, amount, next contact date,
 * the responsible person's initials, and badges for what needs attention.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-deal-tile"

#include "config.h"

#include "sd-deal-tile.h"

#include <glib/gi18n.h>

#include "sd-money.h"
#include "sd-ui-format.h"

struct _SdDealTile
{
  GtkWidget   parent_instance;

  SdDealItem *item;

  GtkLabel   *title_label;
  GtkLabel   *client_label;
  GtkLabel   *amount_label;
  GtkLabel   *date_label;
  AdwAvatar  *avatar;
  GtkWidget  *badges;
  GtkWidget  *overdue_badge;
  GtkWidget  *unpaid_badge;
  GtkWidget  *priority_badge;
};

G_DEFINE_FINAL_TYPE (SdDealTile, sd_deal_tile, GTK_TYPE_WIDGET)

static void
sd_deal_tile_dispose (GObject *object)
{
  SdDealTile *self = SD_DEAL_TILE (object);
  GtkWidget *child;

  g_clear_object (&self->item);
  gtk_widget_dispose_template (GTK_WIDGET (self), SD_TYPE_DEAL_TILE);
  /* The template's root box is not a bound child, so it is not unparented for us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (sd_deal_tile_parent_class)->dispose (object);
}

static void
sd_deal_tile_class_init (SdDealTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_deal_tile_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/pipeline/sd-deal-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, title_label);
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, client_label);
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, amount_label);
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, date_label);
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, avatar);
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, badges);
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, overdue_badge);
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, unpaid_badge);
  gtk_widget_class_bind_template_child (widget_class, SdDealTile, priority_badge);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "dealtile");
}

static void
sd_deal_tile_init (SdDealTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sd_deal_tile_new (void)
{
  return g_object_new (SD_TYPE_DEAL_TILE, NULL);
}

void
sd_deal_tile_set_item (SdDealTile *self,
                       SdDealItem *item)
{
  const SdCard *card;
  g_autofree char *amount = NULL;
  g_autofree char *date = NULL;

  g_return_if_fail (SD_IS_DEAL_TILE (self));

  if (!g_set_object (&self->item, item) || item == NULL)
    return;
  card = sd_deal_item_get_card (item);

  gtk_label_set_text (self->title_label, card->title);
  gtk_label_set_text (self->client_label, card->client != NULL ? card->client : "");
  gtk_widget_set_visible (GTK_WIDGET (self->client_label), card->client != NULL);
  amount = sd_money_format (card->amount, card->currency);
  gtk_label_set_text (self->amount_label, amount);

  date = sd_ui_format_date (card->next_contact_on);
  gtk_label_set_text (self->date_label, date != NULL ? date : "");
  gtk_widget_set_visible (GTK_WIDGET (self->date_label), date != NULL);

  adw_avatar_set_text (self->avatar, card->responsible);
  gtk_widget_set_visible (GTK_WIDGET (self->avatar), card->responsible != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->avatar), card->responsible);

  gtk_widget_set_visible (self->overdue_badge, card->overdue);
  gtk_widget_set_visible (self->unpaid_badge, card->unpaid);
  gtk_widget_set_visible (self->priority_badge, card->priority);
  gtk_widget_set_visible (self->badges, card->overdue || card->unpaid || card->priority);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, card->title,
                                  -1);
}

SdDealItem *
sd_deal_tile_get_item (SdDealTile *self)
{
  g_return_val_if_fail (SD_IS_DEAL_TILE (self), NULL);

  return self->item;
}
