"""The widget under each click of a desktop application, through AT-SPI (issue 21 point 5):
`atspi.py` asks the accessibility bus what is at a screen point, `resolver.py` does it off
the input thread within a deadline, so a desktop click is named the way capture.js names a
web page's ("push button 'Save'"), and a missing or slow bus leaves the click its pixels."""
