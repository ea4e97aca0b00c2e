// The console's frame: sign-in, the role, and the two pages behind the URL's fragment
// (#/ the fleet, #/p/NAME a profile).
'use strict';

const App = {
  async start() {
    Api.onUnauthorized = () => this.signOut('the daemon refused the token: sign in again');
    Fleet.init();
    document.getElementById('signin-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.signIn(document.getElementById('token').value.trim());
    });
    document.getElementById('signout').addEventListener('click', () => this.signOut(''));
    window.addEventListener('hashchange', () => this.route());
    if (Api.token()) Api.role = await Api.whoAmI();
    if (!Api.role) Api.forget();
    this.route();
  },

  async signIn(token) {
    const error = document.getElementById('signin-error');
    if (!token) { Dom.text(error, 'enter a token'); return; }
    Api.setToken(token);
    Api.role = await Api.whoAmI();
    if (!Api.role) {
      Api.forget();
      Dom.text(error, 'the daemon refused this token');
      document.getElementById('token').select();
      return;
    }
    Dom.text(error, '');
    document.getElementById('token').value = '';
    this.route();
  },

  signOut(message) {
    Api.forget();
    Dom.text(document.getElementById('signin-error'), message);
    this.route();
  },

  show(id) {
    for (const s of ['signin', 'fleet', 'profile']) document.getElementById(s).hidden = s !== id;
    document.body.dataset.page = id;
  },

  route() {
    Fleet.hide();
    Profile.hide();
    const signedIn = Boolean(Api.token() && Api.role);
    document.getElementById('signout').hidden = !signedIn;
    Dom.text(document.getElementById('who'), signedIn ? 'role: ' + Api.role : '');
    document.body.dataset.role = signedIn ? Api.role : '';
    if (!signedIn) {
      this.show('signin');
      document.getElementById('token').focus();
      return;
    }
    const m = location.hash.match(/^#\/p\/(.+)$/);
    if (m) {
      this.show('profile');
      Profile.show(decodeURIComponent(m[1]));
    } else {
      this.show('fleet');
      Fleet.show();
    }
  },
};

document.addEventListener('DOMContentLoaded', () => App.start());
