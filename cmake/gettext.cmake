# Compiles ui-assets/po/<lang>.po into <build>/locale/<lang>/LC_MESSAGES/bianmin.mo.
find_program(MSGFMT msgfmt REQUIRED)

function(bm_compile_translations)
    set(mo_files)
    foreach(po ${ARGN})
        get_filename_component(lang ${po} NAME_WE)
        set(mo ${BM_LOCALEDIR_BUILD}/${lang}/LC_MESSAGES/bianmin.mo)
        add_custom_command(OUTPUT ${mo}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${BM_LOCALEDIR_BUILD}/${lang}/LC_MESSAGES
            COMMAND ${MSGFMT} --check --statistics -o ${mo} ${po}
            DEPENDS ${po}
            COMMENT "Compiling translations for ${lang}")
        list(APPEND mo_files ${mo})
        install(FILES ${mo} DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/${lang}/LC_MESSAGES)
    endforeach()
    add_custom_target(translations ALL DEPENDS ${mo_files})
endfunction()
