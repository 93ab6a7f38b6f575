/* sd-render.c: draw a realised widget into a PNG file, without user interaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-render"

#include "config.h"

#include "sd-render.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdlib.h>

#define MAX_SIDE 8192

static gboolean
parse_side (const char  *text,
            const char **end,
            int         *side)
{
  gint64 value;
  char *stop = NULL;

  if (!g_ascii_isdigit (*text))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoll (text, &stop, 10);
  if (errno != 0 || value < 1 || value > MAX_SIDE)
    return FALSE;
  *side = (int) value;
  *end = stop;
  return TRUE;
}

gboolean
sd_render_parse_size (const char *text,
                      int        *width,
                      int        *height)
{
  const char *end;
  int w, h;

  g_return_val_if_fail (width != NULL && height != NULL, FALSE);

  if (text == NULL || !parse_side (text, &end, &w) || (*end != 'x' && *end != 'X'))
    return FALSE;
  if (!parse_side (end + 1, &end, &h) || *end != '\0')
    return FALSE;
  *width = w;
  *height = h;
  return TRUE;
}

gboolean
sd_render_widget_to_png (GtkWidget   *widget,
                         int          width,
                         int          height,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkNative *native;
  GskRenderer *renderer;
  GtkWidget *parent;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  native = gtk_widget_get_native (widget);
  if (native == NULL || !gtk_widget_get_mapped (widget))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The view is not on screen, so it cannot be drawn"));
      return FALSE;
    }
  renderer = gtk_native_get_renderer (native);

  snapshot = gtk_snapshot_new ();
  parent = gtk_widget_get_parent (widget);
  if (parent == NULL)
    {
      /* A toplevel: draw it whole (background and children) through the paintable GTK
       * keeps for it, leaving out the frame around its content (the margin client-side
       * decorations keep for shadows and resize handles). */
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
      GtkWidget *content = gtk_widget_get_first_child (widget);
      graphene_rect_t bounds;

      if (content != NULL && gtk_widget_compute_bounds (content, widget, &bounds))
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-bounds.origin.x,
                                                                -bounds.origin.y));
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                              gtk_widget_get_width (widget), gtk_widget_get_height (widget));
    }
  else
    {
      /* A child: its parent places it; move it back to the origin. */
      graphene_rect_t bounds;

      if (!gtk_widget_compute_bounds (widget, parent, &bounds))
        graphene_rect_init (&bounds, 0, 0, 0, 0);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-bounds.origin.x,
                                                              -bounds.origin.y));
      gtk_widget_snapshot_child (parent, widget, snapshot);
    }

  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The view drew nothing"));
      return FALSE;
    }

  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (texture == NULL || !gdk_texture_save_to_png (texture, path))
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not write “%s”"), path);
      return FALSE;
    }
  return TRUE;
}
