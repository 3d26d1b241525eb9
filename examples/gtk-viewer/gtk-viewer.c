/* gtk-viewer.c: a GTK 4 window that shows a Server-Sent Events feed live
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A URL entry and a Connect button, a status line (connecting, open,
 * reconnecting in N s counting down, closed, with the last error), and a
 * list of the events received (type, id, data), newest at the bottom,
 * following new events unless scrolled up.
 *
 *   gtk-viewer [--url URL] [--exit-after N] [--screenshot FILE.png]
 *              [--max-attempts N]
 *
 * --url connects at once. For tests and documentation: --exit-after N quits
 * once N rows are in the list and the window has drawn them, saving the
 * window as a PNG first with --screenshot (rendered by GTK itself, so no
 * screen grabber is needed). The exit status is then 0, or 1 when the
 * source gave up first. Standard output tells what the window shows: every
 * change of the status line ("status: Open") and, once the window has drawn
 * it, whether it is shown whole or cut ("status shown: whole"), the title
 * the header bar shows ("title: Event stream viewer") when the window is
 * first drawn, every row as the list binds it to a widget ("row 3: tick
 * id=3 data={...}"), and at the end the number of rows, whether the view is
 * at the bottom ("view: bottom"), and the ids of the rows that are entirely
 * in view, top to bottom ("visible: 7 8 9").
 */

#include <stdio.h>

#include <gtk/gtk.h>
#include <sse-glib/sse-glib.h>

#define MAX_ROWS 1000   /* older rows are dropped: memory stays bounded */

static char *opt_url;
static int opt_exit_after;
static char *opt_screenshot;
static int opt_max_attempts = -1;

static const GOptionEntry entries[] = {
  { "url", 'u', 0, G_OPTION_ARG_STRING, &opt_url, "Connect to URL at start", "URL" },
  { "exit-after", 0, 0, G_OPTION_ARG_INT, &opt_exit_after,
    "Quit once N rows are shown", "N" },
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &opt_screenshot,
    "With --exit-after, save the window as a PNG before quitting", "FILE" },
  { "max-attempts", 0, 0, G_OPTION_ARG_INT, &opt_max_attempts,
    "Give up after N reconnection attempts in a row (default: never)", "N" },
  { NULL }
};

static const char css[] =
  ".status-dot { font-size: 16px; }\n"
  ".status-dot.connecting, .status-dot.reconnecting { color: #e5a50a; }\n"
  ".status-dot.open { color: #2ec27e; }\n"
  ".status-dot.closed { color: #c01c28; }\n"
  ".event-row { padding: 3px 12px; }\n"
  ".event-type { font-weight: bold; }\n"
  ".event-id, .event-data { font-family: monospace; }\n"
  ".event-id { opacity: 0.6; }\n";

/* ViewerItem: one row of the list, holding its event -------------------- */

#define VIEWER_TYPE_ITEM (viewer_item_get_type ())
G_DECLARE_FINAL_TYPE (ViewerItem, viewer_item, VIEWER, ITEM, GObject)

struct _ViewerItem
{
  GObject   parent_instance;
  SseEvent *event;
  guint64   number;   /* 1 for the first event received */
  gboolean  shown;    /* bound to a row widget at least once */
};

G_DEFINE_FINAL_TYPE (ViewerItem, viewer_item, G_TYPE_OBJECT)

static void
viewer_item_finalize (GObject *object)
{
  g_clear_pointer (&VIEWER_ITEM (object)->event, sse_event_unref);
  G_OBJECT_CLASS (viewer_item_parent_class)->finalize (object);
}

static void
viewer_item_class_init (ViewerItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = viewer_item_finalize;
}

static void
viewer_item_init (ViewerItem *self)
{
}

static ViewerItem *
viewer_item_new (SseEvent *event,
                 guint64   number)
{
  ViewerItem *self = g_object_new (VIEWER_TYPE_ITEM, NULL);

  self->event = sse_event_ref (event);
  self->number = number;
  return self;
}

/* The window ------------------------------------------------------------- */

typedef struct {
  GtkApplication *app;
  GtkWidget      *window;
  GtkWidget      *header;
  GtkWidget      *entry;
  GtkWidget      *button;
  GtkWidget      *status_dot;
  GtkWidget      *status_label;
  GtkWidget      *count_label;
  GtkWidget      *scrolled;
  GtkWidget      *list_view;
  GListStore     *store;

  SseEventSource *source;
  char           *last_error;     /* of the failure that led to the status */
  gint64          reconnect_at;   /* monotonic time of the next attempt */
  guint           countdown_id;
  guint64         n_events;
  guint           n_shown;
  gboolean        follow;         /* keep the newest row in view */
  gint64          scroll_frame;   /* the frame in which the view last moved */
  guint           scroll_idle;

  gboolean        finishing;      /* --exit-after reached */
  int             exit_status;

  gboolean        drawn;          /* the window was drawn once */
  gboolean        status_changed; /* not drawn since (see on_status_drawn()) */
  gboolean        quit_when_drawn;
} Viewer;

/* Remembers the frame in which the list moved (see on_after_paint()). */
static void
note_scroll_frame (Viewer *viewer)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (viewer->window);

  if (clock != NULL)
    viewer->scroll_frame = gdk_frame_clock_get_frame_counter (clock);
}

static void
set_status_line (Viewer     *viewer,
                 const char *css_class,
                 const char *text)
{
  const char *classes[] = { "status-dot", css_class, NULL };

  gtk_widget_set_css_classes (viewer->status_dot, classes);
  if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (viewer->status_label)), text) != 0)
    {
      gtk_label_set_text (GTK_LABEL (viewer->status_label), text);
      printf ("status: %s\n", text);
      viewer->status_changed = TRUE;
    }
}

/* The title the header bar shows: the window's title, in a label of CSS
 * class "title", unless a title widget replaces it. */
static const char *
shown_title (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "title") &&
      gtk_widget_get_mapped (widget))
    return gtk_label_get_text (GTK_LABEL (widget));

  for (child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *title = shown_title (child);

      if (title != NULL)
        return title;
    }
  return NULL;
}

/* After every frame: what a user sees of the status line, once drawn. An
 * ellipsized layout is a status line cut short, the cause lost. */
static void
on_status_drawn (GdkFrameClock *clock,
                 Viewer        *viewer)
{
  if (!viewer->drawn)
    {
      const char *title = shown_title (viewer->header);

      viewer->drawn = TRUE;
      printf ("title: %s\n", title != NULL ? title : "(none)");
    }

  if (viewer->status_changed)
    {
      PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (viewer->status_label));

      viewer->status_changed = FALSE;
      printf ("status shown: %s\n", pango_layout_is_ellipsized (layout) ? "cut" : "whole");
    }

  if (viewer->quit_when_drawn)
    g_application_quit (G_APPLICATION (viewer->app));
}

static void
on_window_realize (GtkWidget *window,
                   Viewer    *viewer)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_status_drawn), viewer);
}

static void
update_countdown (Viewer *viewer)
{
  gint64 remaining = viewer->reconnect_at - g_get_monotonic_time ();
  gint64 seconds = MAX ((remaining + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1);
  g_autofree char *text = NULL;

  if (viewer->last_error != NULL)
    text = g_strdup_printf ("Reconnecting in %" G_GINT64_FORMAT " s… (%s)",
                            seconds, viewer->last_error);
  else
    text = g_strdup_printf ("Reconnecting in %" G_GINT64_FORMAT " s…", seconds);
  set_status_line (viewer, "reconnecting", text);
}

static gboolean
countdown_tick (gpointer user_data)
{
  update_countdown (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_status (Viewer *viewer)
{
  SseStatus status = viewer->source != NULL ? sse_event_source_get_status (viewer->source)
                                            : SSE_STATUS_CLOSED;
  g_autofree char *text = NULL;

  g_clear_handle_id (&viewer->countdown_id, g_source_remove);

  switch (status)
    {
    case SSE_STATUS_CONNECTING:
      set_status_line (viewer, "connecting", "Connecting…");
      break;

    case SSE_STATUS_OPEN:
      g_clear_pointer (&viewer->last_error, g_free);
      set_status_line (viewer, "open", "Open");
      break;

    case SSE_STATUS_RECONNECTING:
      /* The delay is set before the status changes. */
      viewer->reconnect_at = g_get_monotonic_time () +
        sse_event_source_get_reconnect_delay (viewer->source) * (gint64) 1000;
      update_countdown (viewer);
      viewer->countdown_id = g_timeout_add (200, countdown_tick, viewer);
      break;

    case SSE_STATUS_CLOSED:
    default:
      if (viewer->last_error != NULL)
        text = g_strdup_printf ("Closed: %s", viewer->last_error);
      set_status_line (viewer, "closed", text != NULL ? text : "Closed");
      break;
    }

  gtk_button_set_label (GTK_BUTTON (viewer->button),
                        status == SSE_STATUS_CLOSED ? "Connect" : "Disconnect");
}

static void
on_status (SseEventSource *source,
           GParamSpec     *pspec,
           Viewer         *viewer)
{
  update_status (viewer);

  /* In a test, a source that gives up ends the run, once the window has
   * shown why. */
  if (opt_exit_after > 0 && !viewer->finishing &&
      sse_event_source_get_status (source) == SSE_STATUS_CLOSED)
    {
      viewer->exit_status = 1;
      viewer->quit_when_drawn = TRUE;
      gtk_widget_queue_draw (viewer->window);
    }
}

/* Emitted before the status changes, so the status line can tell why. */
static void
on_error (SseEventSource *source,
          GError         *error,
          Viewer         *viewer)
{
  char *text;

  /* "Gave up" alone would hide what went wrong with the last attempt. */
  if (g_error_matches (error, SSE_ERROR, SSE_ERROR_TOO_MANY_ATTEMPTS) &&
      viewer->last_error != NULL)
    text = g_strdup_printf ("%s (%s)", error->message, viewer->last_error);
  else
    text = g_strdup (error->message);

  g_free (viewer->last_error);
  viewer->last_error = text;
}

static void
on_event (SseEventSource *source,
          SseEvent       *event,
          Viewer         *viewer)
{
  g_autoptr(ViewerItem) item = NULL;
  g_autofree char *count = NULL;

  if (viewer->finishing)
    return;

  item = viewer_item_new (event, ++viewer->n_events);
  g_list_store_append (viewer->store, item);
  if (g_list_model_get_n_items (G_LIST_MODEL (viewer->store)) > MAX_ROWS)
    g_list_store_remove (viewer->store, 0);

  count = g_strdup_printf ("%" G_GUINT64_FORMAT " events", viewer->n_events);
  gtk_label_set_text (GTK_LABEL (viewer->count_label), count);
}

static void
disconnect_source (Viewer *viewer)
{
  if (viewer->source == NULL)
    return;

  g_signal_handlers_disconnect_by_data (viewer->source, viewer);
  sse_event_source_close (viewer->source);
  g_clear_object (&viewer->source);
}

static void
connect_to (Viewer     *viewer,
            const char *url)
{
  disconnect_source (viewer);
  g_clear_pointer (&viewer->last_error, g_free);

  viewer->source = sse_event_source_new (url);
  sse_event_source_set_max_reconnect_attempts (viewer->source, MAX (opt_max_attempts, -1));
  g_signal_connect (viewer->source, "event", G_CALLBACK (on_event), viewer);
  g_signal_connect (viewer->source, "error", G_CALLBACK (on_error), viewer);
  g_signal_connect (viewer->source, "notify::status", G_CALLBACK (on_status), viewer);
  sse_event_source_open (viewer->source);
}

static void
on_connect_clicked (GtkButton *button,
                    Viewer    *viewer)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (viewer->entry));

  if (viewer->source == NULL)
    {
      connect_to (viewer, url);
    }
  else if (sse_event_source_get_status (viewer->source) != SSE_STATUS_CLOSED)
    {
      sse_event_source_close (viewer->source);
    }
  else if (g_strcmp0 (url, sse_event_source_get_url (viewer->source)) == 0)
    {
      /* The same feed again: the source resumes after the last event ID,
       * so the list goes on where it stopped. */
      g_clear_pointer (&viewer->last_error, g_free);
      sse_event_source_open (viewer->source);
    }
  else
    {
      /* Another feed: start a new list. */
      g_list_store_remove_all (viewer->store);
      viewer->n_events = 0;
      gtk_label_set_text (GTK_LABEL (viewer->count_label), "0 events");
      connect_to (viewer, url);
    }
}

/* Following the newest row ----------------------------------------------- */

/* The view follows new rows while it is scrolled to the bottom; scrolling
 * up stops that, scrolling back down starts it again. */
static void
on_adjustment_value_changed (GtkAdjustment *adj,
                             Viewer        *viewer)
{
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  viewer->follow = gtk_adjustment_get_value (adj) >= bottom - 1.0;
  note_scroll_frame (viewer);
}

static void
scroll_to_bottom (gpointer user_data)
{
  Viewer *viewer = user_data;
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (viewer->scrolled));

  viewer->scroll_idle = 0;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
                                 gtk_adjustment_get_page_size (adj));
}

/* The list grew (or the window changed size). Scrolling from here, in the
 * middle of the list's size allocation, would not move the rows: do it
 * right after. */
static void
on_adjustment_changed (GtkAdjustment *adj,
                       Viewer        *viewer)
{
  if (viewer->follow && viewer->scroll_idle == 0)
    viewer->scroll_idle = g_idle_add_once (scroll_to_bottom, viewer);
  note_scroll_frame (viewer);
}

/* Screenshot and exit (--exit-after) ------------------------------------- */

static gboolean
save_screenshot (Viewer      *viewer,
                 const char  *filename,
                 GError     **error)
{
  GtkWidget *window = viewer->window;
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  graphene_rect_t bounds;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                          gtk_widget_get_width (window), gtk_widget_get_height (window));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window drew nothing");
      return FALSE;
    }

  gsk_render_node_get_bounds (node, &bounds);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  if (!gdk_texture_save_to_png (texture, filename))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s", filename);
      return FALSE;
    }

  printf ("screenshot: %s (%dx%d)\n", filename,
          gdk_texture_get_width (texture), gdk_texture_get_height (texture));
  return TRUE;
}

/* Prints the ids of the rows that are entirely inside the visible part of
 * the list, from top to bottom: what a user sees. */
static void
print_visible_rows (Viewer *viewer)
{
  double height = gtk_widget_get_height (viewer->scrolled);
  g_autoptr(GString) ids = g_string_new (NULL);
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (viewer->list_view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *box = gtk_widget_get_first_child (child);
      GtkWidget *id_label;
      graphene_rect_t bounds;

      if (box == NULL || !gtk_widget_has_css_class (box, "event-row") ||
          !gtk_widget_get_mapped (box) ||
          !gtk_widget_compute_bounds (box, viewer->scrolled, &bounds))
        continue;
      if (bounds.origin.y < -0.5 || bounds.origin.y + bounds.size.height > height + 0.5)
        continue;

      id_label = gtk_widget_get_next_sibling (gtk_widget_get_first_child (box));
      g_string_append_printf (ids, " %s", gtk_label_get_text (GTK_LABEL (id_label)));
    }

  printf ("visible:%s\n", ids->str);
}

/* Runs after each frame once --exit-after is reached, until a frame was
 * painted in which the list did not move: the list view takes a frame to
 * catch up with its adjustment, and the screenshot must show the newest
 * rows. */
static void
on_after_paint (GdkFrameClock *clock,
                Viewer        *viewer)
{
  g_autoptr(GError) error = NULL;

  if (gdk_frame_clock_get_frame_counter (clock) <= viewer->scroll_frame)
    {
      gtk_widget_queue_draw (viewer->window);
      return;
    }

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, viewer);

  if (opt_screenshot != NULL && !save_screenshot (viewer, opt_screenshot, &error))
    {
      g_printerr ("%s\n", error->message);
      viewer->exit_status = 1;
    }

  {
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (viewer->scrolled));
    double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

    printf ("rows: %u\n", g_list_model_get_n_items (G_LIST_MODEL (viewer->store)));
    print_visible_rows (viewer);
    printf ("view: %s\n", gtk_adjustment_get_value (adj) >= bottom - 1.0 ? "bottom" : "scrolled up");
  }
  g_application_quit (G_APPLICATION (viewer->app));
}

static void
finish (Viewer *viewer)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (viewer->window);

  viewer->finishing = TRUE;
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), viewer);
  gtk_widget_queue_draw (viewer->window);
}

/* The list's rows -------------------------------------------------------- */

static GtkWidget *
add_label (GtkWidget  *box,
           const char *css_class,
           int         width_chars)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_add_css_class (label, css_class);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (width_chars > 0)
    gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  else
    gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  return label;
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           Viewer                   *viewer)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_widget_add_css_class (box, "event-row");
  add_label (box, "event-type", 10);
  add_label (box, "event-id", 6);
  add_label (box, "event-data", -1);
  gtk_list_item_set_child (list_item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          Viewer                   *viewer)
{
  ViewerItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *type_label = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));
  GtkWidget *id_label = gtk_widget_get_next_sibling (type_label);
  GtkWidget *data_label = gtk_widget_get_next_sibling (id_label);
  const char *id = sse_event_get_id (item->event);
  g_auto(GStrv) lines = g_strsplit (sse_event_get_data (item->event), "\n", -1);
  g_autofree char *data = g_strjoinv ("⏎", lines);

  gtk_label_set_text (GTK_LABEL (type_label), sse_event_get_event_type (item->event));
  gtk_label_set_text (GTK_LABEL (id_label), id != NULL ? id : "");
  gtk_label_set_text (GTK_LABEL (data_label), data);

  if (item->shown)
    return;

  item->shown = TRUE;
  viewer->n_shown++;
  printf ("row %" G_GUINT64_FORMAT ": %s id=%s data=%s\n", item->number,
          sse_event_get_event_type (item->event), id != NULL ? id : "-",
          sse_event_get_data (item->event));

  if (opt_exit_after > 0 && !viewer->finishing && viewer->n_shown >= (guint) opt_exit_after)
    finish (viewer);
}

/* Building the window ---------------------------------------------------- */

static void
on_activate (GtkApplication *app,
             Viewer         *viewer)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkWidget *vbox, *url_box, *status_box;
  GtkAdjustment *vadj;

  if (viewer->window != NULL)
    {
      gtk_window_present (GTK_WINDOW (viewer->window));
      return;
    }

  gtk_css_provider_load_from_data (provider, css, -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  viewer->window = gtk_application_window_new (app);
  gtk_window_set_title (GTK_WINDOW (viewer->window), "Event stream viewer");
  gtk_window_set_default_size (GTK_WINDOW (viewer->window), 720, 440);
  g_signal_connect (viewer->window, "realize", G_CALLBACK (on_window_realize), viewer);

  /* Header bar: the window's title. */
  viewer->header = gtk_header_bar_new ();
  gtk_window_set_titlebar (GTK_WINDOW (viewer->window), viewer->header);

  vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_window_set_child (GTK_WINDOW (viewer->window), vbox);

  /* The URL and the Connect button. */
  url_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (url_box, 12);
  gtk_widget_set_margin_end (url_box, 12);
  gtk_widget_set_margin_top (url_box, 8);
  viewer->entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (viewer->entry), "https://example.org/events");
  gtk_editable_set_text (GTK_EDITABLE (viewer->entry), opt_url != NULL ? opt_url : "");
  gtk_widget_set_hexpand (viewer->entry, TRUE);
  viewer->button = gtk_button_new_with_label ("Connect");
  gtk_widget_add_css_class (viewer->button, "suggested-action");
  gtk_box_append (GTK_BOX (url_box), viewer->entry);
  gtk_box_append (GTK_BOX (url_box), viewer->button);
  gtk_box_append (GTK_BOX (vbox), url_box);
  g_signal_connect (viewer->button, "clicked", G_CALLBACK (on_connect_clicked), viewer);
  g_signal_connect_swapped (viewer->entry, "activate",
                            G_CALLBACK (gtk_widget_activate), viewer->button);

  /* Status line: a coloured dot, the status, the number of events. The
   * status wraps rather than being cut: the cause of a failure comes last,
   * and is what a user needs to read. */
  status_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_margin_start (status_box, 12);
  gtk_widget_set_margin_end (status_box, 12);
  gtk_widget_set_margin_top (status_box, 6);
  gtk_widget_set_margin_bottom (status_box, 6);
  viewer->status_dot = gtk_label_new ("●");
  viewer->status_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (viewer->status_label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (viewer->status_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (viewer->status_label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (viewer->status_label, TRUE);
  viewer->count_label = gtk_label_new ("0 events");
  gtk_widget_add_css_class (viewer->count_label, "dim-label");
  /* Dot and count on the first line of a status that wraps. */
  gtk_widget_set_valign (viewer->status_dot, GTK_ALIGN_BASELINE);
  gtk_widget_set_valign (viewer->status_label, GTK_ALIGN_BASELINE);
  gtk_widget_set_valign (viewer->count_label, GTK_ALIGN_BASELINE);
  gtk_box_append (GTK_BOX (status_box), viewer->status_dot);
  gtk_box_append (GTK_BOX (status_box), viewer->status_label);
  gtk_box_append (GTK_BOX (status_box), viewer->count_label);
  gtk_box_append (GTK_BOX (vbox), status_box);
  gtk_box_append (GTK_BOX (vbox), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));

  /* The events: a list view of the store, newest at the bottom. */
  viewer->store = g_list_store_new (VIEWER_TYPE_ITEM);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), viewer);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), viewer);
  viewer->list_view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (
                                   G_LIST_MODEL (g_object_ref (viewer->store)))),
                                 g_object_ref (factory));
  gtk_list_view_set_show_separators (GTK_LIST_VIEW (viewer->list_view), TRUE);
  viewer->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (viewer->scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (viewer->scrolled), viewer->list_view);
  gtk_widget_set_vexpand (viewer->scrolled, TRUE);
  gtk_box_append (GTK_BOX (vbox), viewer->scrolled);

  viewer->follow = TRUE;
  vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (viewer->scrolled));
  g_signal_connect (vadj, "value-changed", G_CALLBACK (on_adjustment_value_changed), viewer);
  g_signal_connect (vadj, "changed", G_CALLBACK (on_adjustment_changed), viewer);

  update_status (viewer);
  /* A URL to type, or one given: then the button (focusing the entry would
   * select its text). */
  gtk_window_set_focus (GTK_WINDOW (viewer->window),
                        opt_url != NULL ? viewer->button : viewer->entry);
  gtk_window_present (GTK_WINDOW (viewer->window));

  if (opt_url != NULL)
    connect_to (viewer, opt_url);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;
  Viewer viewer = { 0, };
  int status;

  /* One line at a time, even into a pipe: tests read it as it comes. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  app = gtk_application_new ("org.gnome.SseGlib.Viewer", G_APPLICATION_NON_UNIQUE);
  g_application_add_main_option_entries (G_APPLICATION (app), entries);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), &viewer);
  viewer.app = app;

  status = g_application_run (G_APPLICATION (app), argc, argv);

  disconnect_source (&viewer);
  g_clear_handle_id (&viewer.countdown_id, g_source_remove);
  g_clear_handle_id (&viewer.scroll_idle, g_source_remove);
  g_clear_object (&viewer.store);
  g_free (viewer.last_error);
  g_free (opt_url);
  g_free (opt_screenshot);

  return status != 0 ? status : viewer.exit_status;
}
