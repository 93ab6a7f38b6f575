/* sd-deal-tile.c: a deal's card on the board: title, client, amount, next contact date,
 * the responsible person's initials, and badges for what needs attention.
 *
 * The card draws itself as one widget: a board keeps a few hundred cards alive (each
 * column's view builds some beyond the visible ones), and built from labels and an
 * AdwAvatar each they cost seconds at start and a hundred megabytes.
 * Its height comes from font metrics alone, so measuring a card shapes no text; the
 * text is laid out when a card is first drawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-deal-tile"

#include "config.h"

#include "sd-deal-tile.h"

#include <glib/gi18n.h>

#include "sd-money.h"
#include "sd-ui-format.h"

#define PAD_X        10
#define PAD_Y        8
#define GAP          4
#define AVATAR       24
#define BADGE_PAD_X  6
#define BADGE_GAP    4
#define CAPTION      0.83

typedef enum
{
  BADGE_OVERDUE,
  BADGE_UNPAID,
  BADGE_PRIORITY,
  BADGE_CONFLICT,
  N_BADGES
} Badge;

struct _SdDealTile
{
  GtkWidget    parent_instance;

  SdDealItem  *item;
  char        *initials;
  int          line_height;     /* pixels; 0 until measured for the current style */
  int          caption_height;

  /* Made when first drawn, dropped when the item or the style changes. */
  PangoLayout *title;
  PangoLayout *client;
  PangoLayout *amount;
  PangoLayout *date;
  PangoLayout *avatar_text;
  PangoLayout *badges[N_BADGES];
};

G_DEFINE_FINAL_TYPE (SdDealTile, sd_deal_tile, GTK_TYPE_WIDGET)

static const char *const badge_labels[N_BADGES] = {
  N_("Overdue"), N_("Payment due"), N_("Priority"),
  /* TRANSLATORS: a badge on a deal's card: a field was changed both here and on the portal */
  N_("Conflict"),
};

/* Adwaita's red, yellow, blue and purple: text and (with alpha) background of each badge. */
static const char *const badge_colors[N_BADGES] = { "#c01c28", "#9c6e03", "#1c71d8", "#813d9c" };

/* Avatar colours, picked by the name so a person keeps one. */
static const char *const avatar_colors[] = {
  "#3584e4", "#2190a4", "#3a944a", "#c88800", "#ed5b00", "#e62d42", "#d56199", "#9141ac",
  "#6f8396",
};

static void
drop_layouts (SdDealTile *self)
{
  g_clear_object (&self->title);
  g_clear_object (&self->client);
  g_clear_object (&self->amount);
  g_clear_object (&self->date);
  g_clear_object (&self->avatar_text);
  for (guint i = 0; i < N_BADGES; i++)
    g_clear_object (&self->badges[i]);
}

static gboolean
has_badge (const SdCard *card,
           Badge         badge)
{
  switch (badge)
    {
    case BADGE_OVERDUE:
      return card->overdue;
    case BADGE_UNPAID:
      return card->unpaid;
    case BADGE_PRIORITY:
      return card->priority;
    case BADGE_CONFLICT:
      return card->conflict;
    case N_BADGES:
    default:
      return FALSE;
    }
}

static gboolean
has_badges (const SdCard *card)
{
  for (Badge b = 0; b < N_BADGES; b++)
    if (has_badge (card, b))
      return TRUE;
  return FALSE;
}

static PangoLayout *
make_layout (SdDealTile *self,
             const char *text,
             gboolean    bold,
             double      scale)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  return layout;
}

static void
ensure_layouts (SdDealTile *self)
{
  const SdCard *card = sd_deal_item_get_card (self->item);
  g_autofree char *amount = NULL;
  g_autofree char *date = NULL;

  if (self->title != NULL)
    return;
  self->title = make_layout (self, card->title, TRUE, 1.0);
  pango_layout_set_wrap (self->title, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_height (self->title, -2);  /* two lines at most */
  self->client = make_layout (self, card->client != NULL ? card->client : "", FALSE, 1.0);
  amount = sd_money_format (card->amount, card->currency);
  self->amount = make_layout (self, amount, TRUE, 1.0);
  date = sd_ui_format_date (card->next_contact_on);
  self->date = make_layout (self, date != NULL ? date : "", FALSE, CAPTION);
  self->avatar_text = make_layout (self, self->initials != NULL ? self->initials : "", TRUE, 0.75);
  for (Badge b = 0; b < N_BADGES; b++)
    if (has_badge (card, b))
      self->badges[b] = make_layout (self, _(badge_labels[b]), TRUE, CAPTION);
}

static void
ensure_metrics (SdDealTile *self)
{
  PangoContext *context;
  PangoFontMetrics *metrics;
  int height;

  if (self->line_height > 0)
    return;
  context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  metrics = pango_context_get_metrics (context, NULL, NULL);
  height = pango_font_metrics_get_height (metrics);
  if (height <= 0)
    height = pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics);
  pango_font_metrics_unref (metrics);
  self->line_height = PANGO_PIXELS_CEIL (height);
  self->caption_height = (int) (self->line_height * CAPTION + 0.999);
}

static int
tile_height (SdDealTile *self)
{
  const SdCard *card = self->item != NULL ? sd_deal_item_get_card (self->item) : NULL;
  int height;

  ensure_metrics (self);
  /* Title (two lines), client, then amount, date and avatar in a row. */
  height = PAD_Y + 3 * self->line_height + GAP + GAP + MAX (self->line_height, AVATAR) + PAD_Y;
  if (card != NULL && has_badges (card))
    height += GAP + self->caption_height + 2;
  return height;
}

static void
sd_deal_tile_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  SdDealTile *self = SD_DEAL_TILE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 248;
    }
  else
    *minimum = *natural = tile_height (self);
}

static void
color_from_string (GdkRGBA    *color,
                   const char *spec,
                   float       alpha)
{
  gdk_rgba_parse (color, spec);
  color->alpha = alpha;
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               int            x,
               int            y,
               const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_rounded (GtkSnapshot   *snapshot,
                float          x,
                float          y,
                float          width,
                float          height,
                float          radius,
                const GdkRGBA *color)
{
  GskRoundedRect rect;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, width, height), radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
  gtk_snapshot_pop (snapshot);
}

static void
sd_deal_tile_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  SdDealTile *self = SD_DEAL_TILE (widget);
  const SdCard *card;
  int width = gtk_widget_get_width (widget);
  int inner = MAX (width - 2 * PAD_X, 1);
  int y = PAD_Y, row, x, w, h;
  GdkRGBA fg, dim, color;

  if (self->item == NULL)
    return;
  card = sd_deal_item_get_card (self->item);
  ensure_metrics (self);
  ensure_layouts (self);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  dim = fg;
  dim.alpha *= 0.55f;

  pango_layout_set_width (self->title, inner * PANGO_SCALE);
  append_layout (snapshot, self->title, PAD_X, y, &fg);
  y += 2 * self->line_height + GAP;

  pango_layout_set_width (self->client, inner * PANGO_SCALE);
  append_layout (snapshot, self->client, PAD_X, y, &dim);
  y += self->line_height + GAP;

  /* amount ... date (avatar) */
  row = MAX (self->line_height, AVATAR);
  x = PAD_X + inner;
  if (self->initials != NULL)
    {
      x -= AVATAR;
      color_from_string (&color, avatar_colors[g_str_hash (card->responsible)
                                               % G_N_ELEMENTS (avatar_colors)], 1.0f);
      append_rounded (snapshot, x, y + (row - AVATAR) / 2.0f, AVATAR, AVATAR, AVATAR / 2.0f,
                      &color);
      pango_layout_get_pixel_size (self->avatar_text, &w, &h);
      color_from_string (&color, "#ffffff", 1.0f);
      append_layout (snapshot, self->avatar_text, x + (AVATAR - w) / 2,
                     y + (row - h) / 2, &color);
      x -= 6;
    }
  pango_layout_get_pixel_size (self->date, &w, &h);
  x -= w;
  append_layout (snapshot, self->date, x, y + (row - h) / 2, &fg);
  pango_layout_set_width (self->amount, MAX (x - PAD_X - 6, 1) * PANGO_SCALE);
  pango_layout_get_pixel_size (self->amount, NULL, &h);
  append_layout (snapshot, self->amount, PAD_X, y + (row - h) / 2, &fg);
  y += row + GAP;

  x = PAD_X;
  for (Badge b = 0; b < N_BADGES; b++)
    {
      if (self->badges[b] == NULL)
        continue;
      pango_layout_get_pixel_size (self->badges[b], &w, &h);
      color_from_string (&color, badge_colors[b], 0.15f);
      append_rounded (snapshot, x, y, w + 2 * BADGE_PAD_X, h + 2, 6, &color);
      color_from_string (&color, badge_colors[b], 1.0f);
      append_layout (snapshot, self->badges[b], x + BADGE_PAD_X, y + 1, &color);
      x += w + 2 * BADGE_PAD_X + BADGE_GAP;
    }
}

static void
sd_deal_tile_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  SdDealTile *self = SD_DEAL_TILE (widget);

  GTK_WIDGET_CLASS (sd_deal_tile_parent_class)->css_changed (widget, change);
  /* Fonts may have changed: measure and lay out again. */
  self->line_height = 0;
  drop_layouts (self);
  gtk_widget_queue_resize (widget);
}

static gboolean
sd_deal_tile_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard,
                            GtkTooltip *tooltip)
{
  SdDealTile *self = SD_DEAL_TILE (widget);
  const SdCard *card;
  g_autofree char *text = NULL;

  if (self->item == NULL || (card = sd_deal_item_get_card (self->item))->responsible == NULL)
    return FALSE;
  /* TRANSLATORS: a card's tooltip: who is responsible for the deal */
  text = g_strdup_printf (_("Responsible: %s"), card->responsible);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
sd_deal_tile_dispose (GObject *object)
{
  SdDealTile *self = SD_DEAL_TILE (object);

  drop_layouts (self);
  g_clear_object (&self->item);
  g_clear_pointer (&self->initials, g_free);
  G_OBJECT_CLASS (sd_deal_tile_parent_class)->dispose (object);
}

static void
sd_deal_tile_class_init (SdDealTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_deal_tile_dispose;
  widget_class->measure = sd_deal_tile_measure;
  widget_class->snapshot = sd_deal_tile_snapshot;
  widget_class->css_changed = sd_deal_tile_css_changed;
  widget_class->query_tooltip = sd_deal_tile_query_tooltip;
  gtk_widget_class_set_css_name (widget_class, "dealtile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sd_deal_tile_init (SdDealTile *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

GtkWidget *
sd_deal_tile_new (void)
{
  return g_object_new (SD_TYPE_DEAL_TILE, NULL);
}

/* "Иванова Анна" -> "ИА" */
static char *
initials_of (const char *name)
{
  g_auto(GStrv) words = NULL;
  GString *initials;

  if (name == NULL)
    return NULL;
  words = g_strsplit (name, " ", -1);
  initials = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL && initials->len < 8; i++)
    if (*words[i] != '\0')
      g_string_append_unichar (initials, g_unichar_toupper (g_utf8_get_char (words[i])));
  return g_string_free (initials, FALSE);
}

void
sd_deal_tile_set_item (SdDealTile *self,
                       SdDealItem *item)
{
  const SdCard *card;
  g_autofree char *amount = NULL;
  g_autoptr(GString) description = NULL;
  gboolean badges_before;

  g_return_if_fail (SD_IS_DEAL_TILE (self));

  badges_before = self->item != NULL && has_badges (sd_deal_item_get_card (self->item));
  if (!g_set_object (&self->item, item) || item == NULL)
    return;
  card = sd_deal_item_get_card (item);
  drop_layouts (self);
  g_free (self->initials);
  self->initials = initials_of (card->responsible);

  /* What the card shows, for screen readers: "1 250 000 ₽, Иванов Пётр, Overdue". */
  description = g_string_new (NULL);
  amount = sd_money_format (card->amount, card->currency);
  g_string_append (description, amount);
  if (card->client != NULL)
    g_string_append_printf (description, ", %s", card->client);
  for (Badge b = 0; b < N_BADGES; b++)
    if (has_badge (card, b))
      g_string_append_printf (description, ", %s", _(badge_labels[b]));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, card->title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
  if (badges_before != has_badges (card))
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

SdDealItem *
sd_deal_tile_get_item (SdDealTile *self)
{
  g_return_val_if_fail (SD_IS_DEAL_TILE (self), NULL);

  return self->item;
}
