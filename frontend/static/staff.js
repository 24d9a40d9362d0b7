// Every signed-in staff page: keep the sign-in alive while the page is in use (app/staff_session.py).
import { keepSignedIn, signInAgain } from "./shared.js";

keepSignedIn(signInAgain);
