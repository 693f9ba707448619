"""The shell: main window, sign-in, navigation and theming."""
