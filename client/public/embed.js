/* global window, document */
/*
 * The dispute room, for a marketplace's own pages:
 *
 *   <script src="https://rooms.example/embed.js"></script>
 *   const room = DisputeRoom.mount(element, { disputeId, ssoToken, locale, theme });
 *   room.on('unread', (e) => badge(e.count));
 *   room.destroy();
 *
 * The room runs in an iframe of its own origin. The sign-on token (single use, minted by the
 * marketplace's server) is handed over by postMessage once the frame has loaded, never in the
 * frame's URL. Messages are only sent to, and only taken from, the room's origin and frame.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var roomOrigin = new URL(script && script.src ? script.src : window.location.href).origin;
  var EVENTS = ['ready', 'resize', 'unread', 'state'];

  function mount(element, options) {
    if (!element || !options || !options.disputeId || !options.ssoToken) {
      throw new Error('DisputeRoom.mount(element, { disputeId, ssoToken, locale?, theme? })');
    }
    var listeners = {};
    var token = options.ssoToken;
    var iframe = document.createElement('iframe');
    iframe.src = roomOrigin + '/embed/disputes/' + encodeURIComponent(options.disputeId);
    iframe.title = options.title || 'Dispute room';
    iframe.style.border = '0';
    iframe.style.width = '100%';
    iframe.style.height = options.height || '640px';
    iframe.style.display = 'block';
    // Nothing of the host's address needs to reach the room's server.
    iframe.referrerPolicy = 'no-referrer';

    function handOver() {
      if (!token || !iframe.contentWindow) return;
      iframe.contentWindow.postMessage(
        {
          source: 'dispute-room-host',
          type: 'init',
          ssoToken: token,
          locale: options.locale,
          theme: options.theme,
        },
        roomOrigin,
      );
      // Single use: a reloaded frame needs a new token (mount again).
      token = null;
    }

    function onMessage(event) {
      if (event.origin !== roomOrigin || event.source !== iframe.contentWindow) return;
      var data = event.data;
      if (!data || data.source !== 'dispute-room' || EVENTS.indexOf(data.type) < 0) return;
      if (data.type === 'resize' && options.autoHeight && typeof data.height === 'number') {
        iframe.style.height = data.height + 'px';
      }
      (listeners[data.type] || []).slice().forEach(function (fn) {
        fn(data);
      });
    }

    iframe.addEventListener('load', handOver);
    window.addEventListener('message', onMessage);
    element.appendChild(iframe);

    var handle = {
      iframe: iframe,
      on: function (type, fn) {
        if (EVENTS.indexOf(type) < 0) throw new Error('unknown event ' + type);
        (listeners[type] = listeners[type] || []).push(fn);
        return handle;
      },
      destroy: function () {
        window.removeEventListener('message', onMessage);
        iframe.removeEventListener('load', handOver);
        listeners = {};
        token = null;
        if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
      },
    };
    return handle;
  }

  window.DisputeRoom = { mount: mount };
})();
