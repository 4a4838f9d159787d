"""Each level's own voice (issue 18, item 4): per part of the tree, the sender name and reply-to address of the mail
its contact persons get, the manual and the contact details on their start page. A unit hears the nearest part's
voice up the tree, field by field (nearest.py); a coordinator sets it for their part (views.py)."""
